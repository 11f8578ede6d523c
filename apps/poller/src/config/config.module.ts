import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { PollerConfig } from './poller-config.js';

/** DI token of the validated PollerConfig. */
export const POLLER_CONFIG = Symbol('POLLER_CONFIG');

/**
 * Provides the configuration that main.ts validated before Nest started (so a bad value stops
 * the process before any module, connection or port opens).
 */
@Global()
@Module({})
export class PollerConfigModule {
  static forRoot(config: PollerConfig): DynamicModule {
    return {
      module: PollerConfigModule,
      providers: [{ provide: POLLER_CONFIG, useValue: config }],
      exports: [POLLER_CONFIG],
    };
  }
}
