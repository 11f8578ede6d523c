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
 * Routes kafkajs's own log through the application's pino logger, so broker trouble shows up in
 * the same JSON stream, at the same level and with the same redaction, instead of kafkajs's
 * default console output. kafkajs's `timestamp` is dropped: pino stamps every line itself.
 */
export function kafkaLogCreator(root: Logger): logCreator {
  const logger = root.child({ context: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const method = LEVELS[level];
      if (!method) return;
      const { message, timestamp: _timestamp, ...extra } = log;
      logger[method]({ namespace, ...extra }, message);
    };
}
