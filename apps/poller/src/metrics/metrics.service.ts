import { Injectable, type OnModuleInit } from '@nestjs/common';
import { indicatorsUp, Readiness } from '../health/readiness.js';
import { RuntimeSupervisor } from '../runtime/runtime-supervisor.js';
import { PollerMetrics } from '../runtime/poller-metrics.js';

/**
 * The process's metrics: each operation's runtime records its own series (under its `operation`
 * label) into the shared registry; this adds readiness as the probe sees it, per operation.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  constructor(
    readonly metrics: PollerMetrics,
    private readonly readiness: Readiness,
    private readonly supervisor: RuntimeSupervisor,
  ) {}

  onModuleInit(): void {
    this.metrics.trackReadiness(async () => {
      // One readiness answer today: that of the one operation (see RuntimeModule).
      const { ready, body } = await this.readiness.check();
      const indicators = indicatorsUp(body);
      return this.supervisor.runtimes.map(({ operation }) => ({ operation, ready, indicators }));
    });
  }
}
