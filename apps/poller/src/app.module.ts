import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PollerConfigModule } from './config/config.module.js';
import type { PollerConfig } from './config/poller-config.js';
import { PollerModule } from './poller/poller.module.js';

@Module({})
export class AppModule {
  static forRoot(config: PollerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PollerConfigModule.forRoot(config), ScheduleModule.forRoot(), PollerModule],
    };
  }
}
