import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { PollerModule } from '../loop/poller.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Module({
  imports: [PollerModule, HealthModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
