import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { PollerConfig } from '../config/poller-config.js';
import { operationBindings } from './operation-context.js';
import { SecretScrubber } from './secret-scrubber.js';

/**
 * Fields that may hold a secret wherever they appear in a log object: structured redaction, the
 * first line of defence. (The second, a scrub of the secrets' values from every line written,
 * is the `streamWrite` hook below.)
 */
export const REDACTED_PATHS = [
  'token',
  'password',
  '*.token',
  '*.password',
  '*.*.token',
  '*.*.password',
  'sasl.password',
  '*.sasl.password',
  'headers["wolkvox-token"]',
  '*.headers["wolkvox-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface AppLoggerOptions {
  level: PollerConfig['logLevel'];
  scrubber: SecretScrubber;
  /** Where lines go; stdout, written synchronously so nothing is lost when the process exits. */
  destination?: DestinationStream;
  name?: string;
}

/**
 * The process's one pino logger: JSON lines with a readable level and an ISO time. Nest (through
 * nestjs-pino), the HTTP layer and kafkajs all write through it, so one level and one redaction
 * apply everywhere. A line written on an operation's behalf carries its `operation` (see
 * logging/operation-context.ts).
 */
export function createAppLogger(options: AppLoggerOptions): Logger {
  const { scrubber } = options;
  return pino(
    {
      name: options.name ?? 'wolkvox-poller',
      level: options.level,
      base: { pid: process.pid, hostname: hostname() },
      mixin: operationBindings,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
