import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, type PollerConfig } from '../config/poller-config.js';
import { createKafka } from '../kafka/kafka-factory.js';
import { createAppLogger } from '../logging/app-logger.js';
import { EXIT } from '../startup/exit-codes.js';
import { kafkaLogCreator } from '../logging/kafka-log-creator.js';
import { nestLoggerOver } from '../logging/nest-to-pino.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';

/** Data goes to stdout (pipe it); progress, diagnostics and kafkajs's log to stderr. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliContext {
  config: PollerConfig;
  kafka: Kafka;
  scrubber: SecretScrubber;
  io: CliIo;
}

/**
 * The CLI reads the poller's own variables (docs/CONTRACT.md section 5), validated by the same schema. A
 * command that never calls Wolkvox does not need the token: when none is given, a placeholder
 * that nothing sends stands in, so `replay` works on a subscriber's machine with only KAFKA_*
 * set (and WOLKVOX_SERVER too when it is not needed).
 */
export function cliContext(
  env: NodeJS.ProcessEnv,
  needs: { token: boolean; server: boolean },
  io: CliIo,
): CliContext {
  const filled = { ...env };
  if (!needs.token && !filled.WOLKVOX_TOKEN && !filled.WOLKVOX_TOKEN_FILE)
    filled.WOLKVOX_TOKEN = 'not-needed-by-this-command';
  if (!needs.server && !filled.WOLKVOX_SERVER) filled.WOLKVOX_SERVER = 'any';
  const result = loadConfig(filled);
  if (!result.ok) {
    for (const problem of result.problems) io.err(`config error: ${problem}`);
    process.exit(EXIT.config);
  }
  const { config } = result;
  for (const warning of result.warnings) io.err(`config warning: ${warning}`);
  const scrubber = SecretScrubber.fromConfig(config);
  const logger = createAppLogger({
    level: config.logLevel,
    scrubber,
    name: 'wolkvox-poller-cli',
    destination: pino.destination({ fd: 2, sync: true }),
  });
  Logger.overrideLogger(nestLoggerOver(logger));
  return { config, kafka: createKafka(config.kafka, kafkaLogCreator(logger)), scrubber, io };
}
