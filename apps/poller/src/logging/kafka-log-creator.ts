import { createRequire } from 'node:module';
import { logLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** DI token of the kafkajs `logCreator` the Kafka client is built with. */
export const KAFKA_LOG_CREATOR = Symbol('KAFKA_LOG_CREATOR');

const LEVELS: Record<logLevel, Level | undefined> = {
  [logLevel.NOTHING]: undefined,
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Warnings kafkajs gives that do not apply here, dropped so that a warning in the log always
 * means something. "Limiting retries for the idempotent producer may invalidate EoS guarantees":
 * kafkajs warns whenever an idempotent producer's retries are bounded, because a plain
 * idempotent producer that gives up has lost the message. The poller's producer is
 * transactional: a send that gives up fails its transaction, which is aborted, and the window
 * is read again (exactly once holds; the crash and broker-outage tests show it).
 */
const IRRELEVANT = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/** kafkajs's table of Kafka's error codes (not part of its typed API, but its own source). */
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: Array<{ message: string; retriable: boolean }>;
};
/**
 * Messages of the broker errors kafkajs retries by itself: "The coordinator is loading...". And
 * REBALANCE_IN_PROGRESS, which kafkajs's table marks not retriable but answers by rejoining the
 * group: every heartbeat of a fleet's replica gets it when a replica joins, leaves or dies.
 */
const RETRIABLE = new Set([
  ...errorCodes.filter((e) => e.retriable).map((e) => e.message),
  'The group is rebalancing, so a rejoin is needed',
]);

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * The level a kafkajs line deserves here. kafkajs logs at `error` every failed response and every
 * restart of a consumer, also for conditions it retries by itself and that a fresh broker shows
 * at each start ("The coordinator is loading", "The group coordinator is not available"). An
 * error line must mean something is wrong: a response failing with an error kafkajs retries is
 * `info`, a consumer restarting after such an error or a connection being retried is `warn`.
 * When the condition lasts, the poller says so itself (readiness 503 and its reason, a warning
 * from the cycle that failed); errors kafkajs does not retry (a fenced producer, an
 * authorization failure) stay errors.
 */
export function kafkaLevel(level: logLevel, entry: LogEntry['log']): Level | undefined {
  const method = LEVELS[level];
  if (method !== 'error') return method;
  const { message } = entry;
  const error = (entry as { error?: unknown }).error;
  if (typeof error === 'string' && RETRIABLE.has(error)) return 'info';
  // kafkajs names no topic and no reason here. Most often the topics exist already (a fleet's
  // operations create the shared topics at once), which kafkajs then takes as done; any other
  // refusal fails the poller's own topic check, which says what is wrong (kafka-adapters.ts).
  if (message.startsWith('Response CreateTopics') && error === 'Topic creation errors')
    return 'info';
  if (message.startsWith('Crash: ') && [...RETRIABLE].some((m) => message.endsWith(m)))
    return 'warn';
  if (message.startsWith('Restarting the consumer in ')) return 'warn';
  if (message.startsWith('Failed to connect to broker, reconnecting')) return 'warn';
  return 'error';
}

/** The namespace of the lines written for @platformatic/kafka (kafka/platformatic/retry-log.ts). */
export const PLATFORMATIC_NAMESPACE = 'platformatic';

/**
 * Routes kafkajs's own log through the application's pino logger, so broker trouble shows up in
 * the same JSON stream, at the same level and with the same redaction, instead of kafkajs's
 * default console output. kafkajs's `timestamp` is dropped: pino stamps every line itself. The
 * lines written for the other client go the same way, under its own context.
 */
export function kafkaLogCreator(root: Logger): logCreator {
  const kafkajs = root.child({ context: 'kafkajs' });
  const platformatic = root.child({ context: PLATFORMATIC_NAMESPACE });
  return () =>
    ({ namespace, level, log }) => {
      const method = kafkaLevel(level, log);
      if (!method || IRRELEVANT.has(log.message)) return;
      const { message, timestamp: _timestamp, ...extra } = log;
      if (namespace === PLATFORMATIC_NAMESPACE) platformatic[method](extra, message);
      else kafkajs[method]({ namespace, ...extra }, message);
    };
}
