import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { PollerConfigModule } from './config/config.module.js';
import type { PollerConfig } from './config/poller-config.js';
import type { FleetConfig } from './config/config.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';

@Module({})
export class AppModule {
  /**
   * `config`: one operation's, or the fleet's (main.ts). `logger`: the process's pino logger
   * (main.ts); without it Nest's console logger is used.
   */
  static forRoot(config: PollerConfig | FleetConfig, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PollerConfigModule.forRoot(config),
        ...(logger ? [LoggingModule.forRoot(logger)] : []),
        ScheduleModule.forRoot(),
        RuntimeModule,
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
