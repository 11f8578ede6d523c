import { wallTimeOf, type WallSeconds } from '@app/contracts';
import type { CallReport } from '@app/wolkvox-client';
import { Subscription, type Observable } from 'rxjs';
import type { PollerConfig } from '../config/poller-config.js';
import { cycleSettingsFrom } from '../cycle/cycle-settings.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { stuckAfterMs } from '../lease/lease.js';
import { inOperation } from '../logging/operation-context.js';
import { OperationLoop, type LoopReconciler } from '../loop/operation-loop.js';
import { PollerStatus } from '../loop/poller-status.js';
import {
  operationSecretFiles,
  processSecretFiles,
  SecretFileWatcher,
} from '../loop/secret-file-watcher.js';
import type { OperationMetrics, PollerMetrics } from './poller-metrics.js';
import type { CheckpointStore } from '../ports/checkpoint-store.port.js';
import type { EmailSource } from '../ports/email-source.port.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { LeaseBeacon } from '../ports/lease-beacon.port.js';
import type { ReconcileReport } from '../reconcile/reconciler.js';
import { WOLKVOX_RETRY } from '../cycle/call-rules.js';

/** The daily reconciliation as the runtime runs it (reconcile/reconciler.ts). */
export interface RuntimeReconciler extends LoopReconciler {
  readonly reports: Observable<ReconcileReport>;
  close(): Promise<void>;
}

/** The adapters of one operation's ports: Kafka and Wolkvox in the service, in memory in tests. */
export interface OperationPorts {
  source: EmailSource;
  /** Each HTTP request the source makes, for the metrics (none for an in-memory source). */
  calls?: Observable<CallReport>;
  publisher: EventPublisher;
  store: CheckpointStore;
  beacon: LeaseBeacon;
  /** The reconciliation, built on the operation's cycle (it reads where the live poll stands). */
  reconciler(cycle: PollCycle): RuntimeReconciler;
}

/** What the process shares with every operation's runtime. */
export interface SharedParts {
  metrics: PollerMetrics;
}

/**
 * Everything one operation owns, built from its settings and its ports, the way Kafka Connect's
 * Worker builds a WorkerTask from the task's config and the worker's shared parts: its cycle,
 * its reconciliation, its status, its loop, its token file's watcher, its metrics series (under
 * its `operation` label) and its logging context (every line its work writes carries
 * `operation`). `start()` and `stop()`; nothing here is a process singleton, so a second
 * operation is a second runtime.
 */
export class OperationRuntime {
  /** The operation's server code: its label in metrics and logs. */
  readonly operation: string;
  readonly status = new PollerStatus();
  /** When this process took the operation on: health counts a first poll's delay from here. */
  readonly createdAt = new Date();
  readonly cycle: PollCycle;
  readonly source: EmailSource;
  private readonly reconciler: RuntimeReconciler;
  private readonly loop: OperationLoop;
  private readonly watcher: SecretFileWatcher;
  private readonly metrics: OperationMetrics;
  private readonly subscriptions = new Subscription();
  /** The cursor stays known while the checkpoint is read again after a failed publish. */
  private lastCursor: WallSeconds | undefined;

  constructor(
    readonly config: PollerConfig,
    private readonly ports: OperationPorts,
    shared: SharedParts,
  ) {
    const { wolkvox, poll } = config;
    this.operation = wolkvox.server;
    this.source = ports.source;
    this.cycle = new PollCycle(
      ports.source,
      ports.publisher,
      ports.store,
      cycleSettingsFrom(config),
      ports.beacon,
    );
    this.reconciler = ports.reconciler(this.cycle);
    this.loop = new OperationLoop(
      this.cycle,
      this.reconciler,
      this.status,
      wolkvox.token,
      () => ports.source.retryToken(),
      {
        server: wolkvox.server,
        timeZone: wolkvox.timeZone,
        intervalSeconds: poll.intervalSeconds,
        leaseSeconds: poll.leaseSeconds,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        stuckAfterMs: stuckAfterMs(wolkvox.callTimeoutMs, WOLKVOX_RETRY),
      },
    );
    this.watcher = new SecretFileWatcher(operationSecretFiles(config), poll.intervalSeconds);
    this.metrics = shared.metrics.forOperation(this.operation, {
      budget: () => this.source.budget(),
      cursor: () => (this.lastCursor = this.cycle.progress?.cursor ?? this.lastCursor),
      nowWall: () => wallTimeOf(new Date(), wolkvox.timeZone),
      lastGoodPollAt: () => this.status.lastGoodPollAt,
      fenced: () => this.status.fenced !== undefined,
    });
    this.follow();
  }

  start(): void {
    inOperation(this.operation, () => {
      this.watcher.start();
      this.loop.start();
    });
  }

  /**
   * Drains the cycle in flight (up to the shutdown timeout), hands the operation over at once by
   * releasing the lease when nothing was left in flight, then closes the operation's clients.
   * An unfinished transaction is aborted by the broker, or by the next poller's claim.
   */
  stop(signal?: string): Promise<void> {
    return inOperation(this.operation, async () => {
      this.watcher.stop();
      const drained = await this.loop.stop(signal);
      if (drained) await this.cycle.release();
      await this.reconciler.close();
      await this.ports.beacon.close();
      await this.ports.publisher.close();
      this.subscriptions.unsubscribe();
      this.metrics.close();
    });
  }

  /** What the operation reports reaches its metrics series. */
  private follow(): void {
    const { metrics } = this;
    if (this.ports.calls)
      this.subscriptions.add(this.ports.calls.subscribe((report) => metrics.recordCall(report)));
    this.subscriptions.add(this.status.cycles.subscribe((report) => metrics.recordCycle(report)));
    this.subscriptions.add(
      this.reconciler.reports.subscribe((report) => metrics.recordReconcile(report)),
    );
    // The operation's token, and the Kafka password its clients authenticate with.
    for (const secret of [
      ...operationSecretFiles(this.config),
      ...processSecretFiles(this.config),
    ]) {
      metrics.trackSecretFile(secret.variable);
      const stop = secret.subscribe((event) => {
        if (event.kind === 'changed') metrics.recordSecretChange(secret.variable);
      });
      this.subscriptions.add(stop);
    }
  }
}
