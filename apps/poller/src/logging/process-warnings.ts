import type { Logger } from 'pino';

/**
 * kafkajs 2.2.4's request queue arms its "check pending requests" timer with
 * `throttledUntil - Date.now()` while `throttledUntil` is still -1 (src/network/requestQueue,
 * scheduleCheckPendingRequests), a large negative delay. Node 24 and later clamp it to 1 ms, as
 * kafkajs means, and emit a TimeoutNegativeWarning each time (tulios/kafkajs#1751): harmless.
 */
export function isKafkajsNegativeTimeout(warning: Error): boolean {
  return (
    warning.name === 'TimeoutNegativeWarning' &&
    /kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(warning.stack ?? '')
  );
}

/**
 * Process warnings as JSON lines of the application's log instead of Node's plain text on
 * stderr ("(node:1234) SomeWarning: ..."), which a JSON log pipeline cannot parse. Node prints
 * warnings through a 'warning' listener of its own (`onWarning`, installed at start-up unless
 * --no-warnings); it is replaced by one that logs through pino: kafkajs's negative timeout at
 * debug (see above), every other warning at warn, with its name and code.
 */
export function routeProcessWarnings(logger: Logger, proc: NodeJS.Process = process): void {
  const log = logger.child({ context: 'Process' });
  for (const listener of proc.listeners('warning')) {
    if (listener.name === 'onWarning') proc.removeListener('warning', listener);
  }
  proc.on('warning', (warning: Error & { code?: string }) => {
    const fields = { warning: warning.name, ...(warning.code ? { code: warning.code } : {}) };
    if (isKafkajsNegativeTimeout(warning)) log.debug(fields, warning.message);
    else log.warn(fields, warning.message);
  });
}
