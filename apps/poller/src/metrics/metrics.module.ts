import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Module({
  imports: [RuntimeModule, HealthModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
