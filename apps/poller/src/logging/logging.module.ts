import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { KAFKA_LOG_CREATOR, kafkaLogCreator } from './kafka-log-creator.js';

/** Probes and scrapes arrive every few seconds; a line each would drown the poller's own log. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * Installs the process's pino logger (made in main.ts from the validated configuration) as
 * Nest's logger through nestjs-pino, with one line per HTTP request other than probes and
 * scrapes, and hands kafkajs a `logCreator` that writes through the same logger.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            quietReqLogger: true,
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
          },
        }),
      ],
      providers: [{ provide: KAFKA_LOG_CREATOR, useValue: kafkaLogCreator(logger) }],
      exports: [KAFKA_LOG_CREATOR],
    };
  }
}
