import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { PollerModule } from '../poller/poller.module.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { PollingHealthIndicator } from './polling.health.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

/**
 * `/health/live` and `/health/ready`. Terminus's own logging is off: it would log every failed
 * probe; the controller logs readiness changes instead.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), PollerModule],
  controllers: [HealthController],
  providers: [
    CheckpointHealthIndicator,
    KafkaHealthIndicator,
    PollingHealthIndicator,
    WolkvoxHealthIndicator,
    {
      provide: SecretScrubber,
      inject: [POLLER_CONFIG],
      useFactory: (config: PollerConfig) => SecretScrubber.fromConfig(config),
    },
  ],
})
export class HealthModule {}
