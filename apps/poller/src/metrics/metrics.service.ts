import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { wallTimeOf, type WallSeconds } from '@app/contracts';
import type { CallReport } from '@app/wolkvox-client';
import { Subscription, type Subject } from 'rxjs';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { indicatorsUp, Readiness } from '../health/readiness.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { API_CALLS } from '../loop/poller.module.js';
import { PollerStatus } from '../loop/poller-status.js';
import { secretFiles } from '../loop/secret-file-watcher.js';
import { EmailSource } from '../ports/email-source.port.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { PollerMetrics } from './poller-metrics.js';

/** Feeds PollerMetrics from what the poller reports: each API call and each finished cycle. */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly metrics: PollerMetrics;
  private readonly subscriptions = new Subscription();
  /** The cursor stays known while the checkpoint is read again after a failed publish. */
  private lastCursor: WallSeconds | undefined;

  constructor(
    @Inject(API_CALLS) private readonly calls: Subject<CallReport>,
    private readonly status: PollerStatus,
    cycle: PollCycle,
    source: EmailSource,
    @Inject(POLLER_CONFIG) private readonly config: PollerConfig,
    readiness: Readiness,
    private readonly reconciler: Reconciler,
  ) {
    this.metrics = new PollerMetrics({
      budget: () => source.budget(),
      cursor: () => (this.lastCursor = cycle.progress?.cursor ?? this.lastCursor),
      nowWall: () => wallTimeOf(new Date(), config.wolkvox.timeZone),
      lastGoodPollAt: () => status.lastGoodPollAt,
      fenced: () => status.fenced !== undefined,
      readiness: async () => {
        const { ready, body } = await readiness.check();
        return { ready, indicators: indicatorsUp(body) };
      },
    });
  }

  onModuleInit(): void {
    this.subscriptions.add(this.calls.subscribe((report) => this.metrics.recordCall(report)));
    this.subscriptions.add(
      this.status.cycles.subscribe((report) => this.metrics.recordCycle(report)),
    );
    this.subscriptions.add(
      this.reconciler.reports.subscribe((report) => this.metrics.recordReconcile(report)),
    );
    for (const secret of secretFiles(this.config)) {
      this.metrics.trackSecretFile(secret.variable);
      const stop = secret.subscribe((event) => {
        if (event.kind === 'changed') this.metrics.recordSecretChange(secret.variable);
      });
      this.subscriptions.add(stop);
    }
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
  }
}
