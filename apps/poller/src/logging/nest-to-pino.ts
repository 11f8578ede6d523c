import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's static `Logger` (which the Kafka adapters use) for a process without a Nest app, the
 * CLI: its lines go to the given pino logger (stderr, JSON, scrubbed) instead of Nest's default
 * console printer, which writes coloured text to stdout, where the CLI's data goes.
 */
export function nestLoggerOver(logger: Logger): LoggerService {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error' | 'trace') =>
    (message: unknown, ...rest: unknown[]) => {
      // Nest passes the context last (a string), after an optional stack for errors.
      const context = typeof rest.at(-1) === 'string' ? String(rest.at(-1)) : undefined;
      logger[level]({ context }, String(message));
    };
  return {
    log: at('info'),
    error: at('error'),
    warn: at('warn'),
    debug: at('debug'),
    verbose: at('trace'),
    fatal: at('error'),
  };
}
