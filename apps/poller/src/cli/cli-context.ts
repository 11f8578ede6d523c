import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { loadFleet, OPERATIONS_FILE_VARIABLE } from '../config/operations-file.js';
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
  /** `--operation`: the operation a command is about (required with an operations file). */
  operation?: string,
): CliContext {
  const { config, warnings } = env[OPERATIONS_FILE_VARIABLE]?.trim()
    ? fleetOperation(env, needs, io, operation)
    : loneOperation(env, needs, io, operation);
  for (const warning of warnings) io.err(`config warning: ${warning}`);
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

interface Chosen {
  config: PollerConfig;
  warnings: string[];
}

/** The variables' one operation; `--operation` stands for WOLKVOX_SERVER. */
function loneOperation(
  env: NodeJS.ProcessEnv,
  needs: { token: boolean; server: boolean },
  io: CliIo,
  operation: string | undefined,
): Chosen {
  const filled = { ...env };
  if (operation) filled.WOLKVOX_SERVER = operation;
  if (!needs.token && !filled.WOLKVOX_TOKEN && !filled.WOLKVOX_TOKEN_FILE)
    filled.WOLKVOX_TOKEN = 'not-needed-by-this-command';
  if (!needs.server && !filled.WOLKVOX_SERVER) filled.WOLKVOX_SERVER = 'any';
  const result = loadConfig(filled);
  if (!result.ok) configErrors(result.problems, io);
  return { config: result.config, warnings: result.warnings };
}

/**
 * One operation of the file POLLER_OPERATIONS_FILE names, as the service reads it (validated
 * whole: a bad entry stops the CLI as it stops the service). A command about one operation
 * needs `--operation`; without it the CLI lists the fleet and exits 64.
 */
function fleetOperation(
  env: NodeJS.ProcessEnv,
  needs: { token: boolean; server: boolean },
  io: CliIo,
  operation: string | undefined,
): Chosen {
  const result = loadFleet(env);
  if (!result.ok) configErrors(result.problems, io);
  const servers = result.operations.map((config) => config.wolkvox.server);
  const listed = `${OPERATIONS_FILE_VARIABLE} lists ${servers.length} operation${servers.length === 1 ? '' : 's'}: ${servers.join(', ')}`;
  if (operation === undefined) {
    if (!needs.server) return { config: result.operations[0], warnings: result.warnings };
    io.err(`${listed}; name one with --operation`);
    process.exit(EXIT.usage);
  }
  const config = result.operations.find((c) => c.wolkvox.server === operation);
  if (!config) {
    io.err(`--operation ${operation}: not in the fleet; ${listed}`);
    process.exit(EXIT.usage);
  }
  return { config, warnings: result.warnings };
}

function configErrors(problems: readonly string[], io: CliIo): never {
  for (const problem of problems) io.err(`config error: ${problem}`);
  process.exit(EXIT.config);
}

/**
 * The operations the configuration describes, one line each (or one JSON object per line):
 * the file's entries, or the variables' one operation.
 */
export function listOperations(env: NodeJS.ProcessEnv, io: CliIo, json: boolean): number {
  const fleet = env[OPERATIONS_FILE_VARIABLE]?.trim();
  const tokenless = !env.WOLKVOX_TOKEN && !env.WOLKVOX_TOKEN_FILE;
  const result = loadFleet(
    fleet || !tokenless ? env : { ...env, WOLKVOX_TOKEN: 'not-needed-by-this-command' },
  );
  if (!result.ok) configErrors(result.problems, io);
  for (const { wolkvox, poll } of result.operations) {
    const view = {
      operation: wolkvox.server,
      timeZone: wolkvox.timeZone,
      dailyQuota: wolkvox.dailyQuota ?? null,
      startAt: poll.startAt?.toISOString() ?? null,
      intervalSeconds: poll.intervalSeconds,
      baseUrl: wolkvox.baseUrl ?? `https://wv${wolkvox.server}.wolkvox.com`,
    };
    io.out(
      json
        ? JSON.stringify(view)
        : `${view.operation}  ${view.timeZone}  quota ${view.dailyQuota ?? 'none'}  every ${view.intervalSeconds} s  from ${view.startAt ?? 'its checkpoint'}  ${view.baseUrl}`,
    );
  }
  if (!json && fleet)
    io.err(`${result.operations.length} operations in ${fleet}; name one with --operation`);
  return EXIT.ok;
}
