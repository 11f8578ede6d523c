import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Readiness } from '../health/readiness.js';
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
  ) {}

  onModuleInit(): void {
    this.metrics.trackReadiness(async () => (await this.readiness.check()).operations);
  }
}
