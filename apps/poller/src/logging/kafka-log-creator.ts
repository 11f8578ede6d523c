import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** DI token of the kafkajs `logCreator` the Kafka client is built with. */
export const KAFKA_LOG_CREATOR = Symbol('KAFKA_LOG_CREATOR');

const LEVELS: Record<logLevel, 'error' | 'warn' | 'info' | 'debug' | undefined> = {
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

/**
 * Routes kafkajs's own log through the application's pino logger, so broker trouble shows up in
 * the same JSON stream, at the same level and with the same redaction, instead of kafkajs's
 * default console output. kafkajs's `timestamp` is dropped: pino stamps every line itself.
 */
export function kafkaLogCreator(root: Logger): logCreator {
  const logger = root.child({ context: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const method = LEVELS[level];
      if (!method || IRRELEVANT.has(log.message)) return;
      const { message, timestamp: _timestamp, ...extra } = log;
      logger[method]({ namespace, ...extra }, message);
    };
}
