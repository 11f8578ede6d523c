import { logLevel, type logCreator } from 'kafkajs';
import { PLATFORMATIC_NAMESPACE } from '../../logging/kafka-log-creator.js';
import { protocolErrorId, staleClusterView } from './platformatic-errors.js';
import type { PlatformaticRetry } from './platformatic-options.js';

/**
 * A line for each attempt @platformatic/kafka retries, through the same logger as kafkajs's
 * lines (logging/kafka-log-creator.ts), under the context "platformatic": that client logs
 * nothing of its own, so a window held up for seconds by its retries showed nothing until it
 * failed. Levels as kafkajs's lines get them there: a broker or a leader the client could not
 * reach, or a cluster view it had to drop, is a warning; a refusal the library retries as a
 * matter of course (CONCURRENT_TRANSACTIONS when a window's transaction follows the last one at
 * once, a coordinator loading) is debug, since a backfill meets one per window. Errors carry
 * broker names and addresses, never credentials.
 */
export function retryLog(creator: logCreator): (retry: PlatformaticRetry) => void {
  const log = creator(logLevel.INFO);
  return ({ operation, attempt, retries, delayMs, error }) => {
    const warning = staleClusterView(error);
    log({
      namespace: PLATFORMATIC_NAMESPACE,
      level: warning ? logLevel.WARN : logLevel.DEBUG,
      label: warning ? 'WARN' : 'DEBUG',
      log: {
        timestamp: new Date().toISOString(),
        message: `${operation} failed (attempt ${attempt} of ${retries + 1}), retrying in ${delayMs} ms`,
        error: protocolErrorId(error) ?? error.message,
      },
    });
  };
}
