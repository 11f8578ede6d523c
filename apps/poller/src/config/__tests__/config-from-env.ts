import { loadConfig, type PollerConfig } from '../poller-config.js';

/** A valid configuration for unit tests: the required variables, then `env` on top. */
export function configFromEnv(env: Record<string, string> = {}): PollerConfig {
  const result = loadConfig({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 't', ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}
