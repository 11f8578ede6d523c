import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FLEET_CONFIG, type FleetConfig } from '../config/config.module.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { Readiness } from './readiness.js';

/**
 * `/health/live` and `/health/ready`. Terminus's own logging is off: it would log every failed
 * probe; Readiness logs readiness changes instead. Readiness is exported for the metrics.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RuntimeModule],
  controllers: [HealthController],
  providers: [
    KafkaHealthIndicator,
    Readiness,
    {
      provide: SecretScrubber,
      inject: [FLEET_CONFIG],
      useFactory: (fleet: FleetConfig) => SecretScrubber.fromConfigs(fleet.operations),
    },
  ],
  exports: [Readiness],
})
export class HealthModule {}
