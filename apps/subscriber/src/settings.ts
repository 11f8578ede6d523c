import { readConfig, type SubscriberConfig } from './config.js';

/** sysexits.h EX_CONFIG: the orchestrator should not restart a container whose config is bad. */
const EX_CONFIG = 78;

/**
 * The config, read once when this module is first imported. A module value rather than a
 * provider because Nest's `@EventPattern` takes the topic when the controller class is declared,
 * before any provider exists. Bad config stops the process here, one line per problem.
 */
export const settings: SubscriberConfig = (() => {
  const reading = readConfig(process.env);
  if (reading.ok) return reading.config;
  for (const problem of reading.problems) process.stderr.write(`config: ${problem}\n`);
  process.exit(EX_CONFIG);
})();
