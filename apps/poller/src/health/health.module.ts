import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { PollingHealthIndicator } from './polling.health.js';
import { Readiness } from './readiness.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

/**
 * `/health/live` and `/health/ready`. Terminus's own logging is off: it would log every failed
 * probe; Readiness logs readiness changes instead. Readiness is exported for the metrics.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RuntimeModule],
  controllers: [HealthController],
  providers: [
    CheckpointHealthIndicator,
    KafkaHealthIndicator,
    PollingHealthIndicator,
    WolkvoxHealthIndicator,
    Readiness,
    {
      provide: SecretScrubber,
      inject: [POLLER_CONFIG],
      useFactory: (config: PollerConfig) => SecretScrubber.fromConfig(config),
    },
  ],
  exports: [Readiness],
})
export class HealthModule {}
