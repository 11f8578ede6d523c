import type { WallSeconds } from '@app/contracts';
import type { CallReport } from '@app/wolkvox-client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleReport } from '../loop/poller-status.js';
import type { BudgetSnapshot } from '../ports/email-source.port.js';
import type { ReconcileReport } from '../reconcile/reconciler.js';
import type { PassOutcome } from '../reconcile/reconcile-schedule.js';

const RECONCILE_OUTCOMES: readonly PassOutcome[] = [
  'completed',
  'skipped-budget',
  'stopped-budget',
  'failed',
];

const PREFIX = 'wolkvox_poller_';

export interface ReadinessGauges {
  ready: boolean;
  indicators: Record<string, boolean>;
}

/** What the metrics read of one operation at scrape time rather than count as things happen. */
export interface OperationGaugeSources {
  budget(): BudgetSnapshot;
  /** The committed checkpoint's cursor; undefined before the first load. */
  cursor(): WallSeconds | undefined;
  /** The operation's wall clock now. */
  nowWall(): WallSeconds;
  lastGoodPollAt(): Date | undefined;
  fenced(): boolean;
}

/** One operation's readiness, as `GET /health/ready` answers for it. */
export interface OperationReadiness extends ReadinessGauges {
  operation: string;
}

export interface PollerMetricsOptions {
  defaultMetrics?: boolean;
}

export class PollerMetrics {
  readonly registry = new Registry();

  private readonly apiCalls = new Counter({
    name: `${PREFIX}api_calls_total`,
    help: 'HTTP requests to the Wolkvox API (each costs one unit of the daily budget), by outcome and HTTP status ("none" when no response arrived)',
    labelNames: ['outcome', 'status', 'operation'] as const,
    registers: [this.registry],
  });
  private readonly apiCallDuration = new Histogram({
    name: `${PREFIX}api_call_duration_seconds`,
    help: 'Duration of HTTP requests to the Wolkvox API',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly recordsFetched = new Counter({
    name: `${PREFIX}records_fetched_total`,
    help: 'Records the Wolkvox API returned, valid or not (a window read again after a cut counts again)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly eventsPublished = new Counter({
    name: `${PREFIX}events_published_total`,
    help: 'email.sent events published (committed) to the events topic',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: `${PREFIX}dead_letters_total`,
    help: 'Records published to the dead-letter topic (invalid or too large)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly duplicatesSkipped = new Counter({
    name: `${PREFIX}duplicates_skipped_total`,
    help: 'Events not published because their key was already published (look-back re-reads)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly windowSplits = new Counter({
    name: `${PREFIX}window_splits_total`,
    help: 'Windows read again in smaller pieces, by reason (truncated: the 60,000-record cut; timed-out: the 60 s limit)',
    labelNames: ['reason', 'operation'] as const,
    registers: [this.registry],
  });
  private readonly overflowingSeconds = new Counter({
    name: `${PREFIX}overflowing_seconds_total`,
    help: "One-second windows that still held the API's 60,000-record cut: records beyond it cannot be read",
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly cycles = new Counter({
    name: `${PREFIX}cycles_total`,
    help: 'Poll cycles by outcome; reason details source-failed (the API answer) and split',
    labelNames: ['outcome', 'reason', 'operation'] as const,
    registers: [this.registry],
  });
  private readonly secretChanges = new Counter({
    name: `${PREFIX}secret_changes_total`,
    help: 'New values read from a secret file while running, by variable (WOLKVOX_TOKEN_FILE, KAFKA_SASL_PASSWORD_FILE)',
    labelNames: ['variable', 'operation'] as const,
    registers: [this.registry],
  });
  private readonly reconcilePasses = new Counter({
    name: `${PREFIX}reconcile_passes_total`,
    help: 'Daily reconciliation passes by outcome (completed, skipped-budget, stopped-budget, failed)',
    labelNames: ['outcome', 'operation'] as const,
    registers: [this.registry],
  });
  private readonly reconcileCalls = new Counter({
    name: `${PREFIX}reconcile_calls_total`,
    help: 'API requests spent by reconciliation passes (part of the daily budget the live poll shares)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly reconcileLate = new Counter({
    name: `${PREFIX}reconcile_late_records_total`,
    help: "email.sent events published by reconciliation passes: emails that showed up after the live poll's look-back had passed them",
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly cycleDuration = new Histogram({
    name: `${PREFIX}cycle_duration_seconds`,
    help: 'Duration of poll cycles (one window: fetch, map, publish)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  /** What each registered operation's gauges read when scraped. */
  private readonly operations = new Map<string, OperationGaugeSources>();

  constructor(options: PollerMetricsOptions = {}) {
    const registers = [this.registry];
    const operations = this.operations;
    /** A gauge with one series per registered operation, read when scraped; absent when undefined. */
    const perOperation = (
      name: string,
      help: string,
      read: (sources: OperationGaugeSources) => number | undefined,
    ) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['operation'] as const,
        registers,
        collect() {
          this.reset();
          for (const [operation, sources] of operations) {
            const value = read(sources);
            if (value !== undefined) this.set({ operation }, value);
          }
        },
      });
    perOperation(
      'budget_used_requests',
      "Requests spent on the operation's current local day",
      (s) => s.budget().used,
    );
    perOperation(
      'budget_remaining_requests',
      "Requests left on the operation's current local day (absent without WOLKVOX_DAILY_QUOTA)",
      (s) => s.budget().remaining,
    );
    perOperation(
      'budget_limit_requests',
      'WOLKVOX_DAILY_QUOTA: requests the poller may spend per local day (absent when unset)',
      (s) => s.budget().limit,
    );
    perOperation(
      'checkpoint_lag_seconds',
      "Seconds between now and the checkpoint's cursor, on the operation's clock (absent before the first checkpoint load)",
      (s) => {
        const cursor = s.cursor();
        return cursor === undefined ? undefined : Math.max(0, s.nowWall() - cursor);
      },
    );
    perOperation(
      'last_good_poll_timestamp_seconds',
      'Unix time of the last good poll cycle (absent before the first)',
      (s) => {
        const at = s.lastGoodPollAt();
        return at === undefined ? undefined : at.getTime() / 1000;
      },
    );
    perOperation(
      'fenced',
      '1 when another poller of the operation took over and this one stopped publishing',
      (s) => (s.fenced() ? 1 : 0),
    );
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Readiness and each of its indicators (true unless down), per operation: the same check as
   * `GET /health/ready`, made at scrape time so that an alert does not depend on someone
   * probing. Without it (tools that only count) the readiness gauges are absent.
   */
  trackReadiness(readiness: () => Promise<OperationReadiness[]>): void {
    // One check serves both gauges of a scrape (prom-client collects them one after the other).
    let shared: Promise<OperationReadiness[]> | undefined;
    const check = () =>
      (shared ??= readiness().finally(() => setImmediate(() => (shared = undefined))));
    new Gauge({
      name: `${PREFIX}ready`,
      help: '1 when GET /health/ready answers 200 for the operation (every indicator up or degraded), 0 when it answers 503',
      labelNames: ['operation'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { operation, ready } of await check()) this.set({ operation }, ready ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}health_indicator_up`,
      help: 'Each readiness indicator (checkpoint, kafka, polling, wolkvox): 1 up or degraded, 0 down',
      labelNames: ['indicator', 'operation'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { operation, indicators } of await check()) {
          for (const [indicator, up] of Object.entries(indicators)) {
            this.set({ indicator, operation }, up ? 1 : 0);
          }
        }
      },
    });
  }

  /**
   * The view one operation's runtime records through: its series, at 0 from the start where
   * alerts and the dashboard watch them, and its gauges read from `sources` until `close()`.
   */
  forOperation(operation: string, sources: OperationGaugeSources): OperationMetrics {
    if (this.operations.has(operation))
      throw new Error(`operation ${operation} is already registered`);
    this.operations.set(operation, sources);
    // Series that alerts and the dashboard watch exist at 0 from the start: increase() then sees
    // the first refusal or split, which a series born at 1 would hide.
    for (const outcome of ['token-rejected', 'budget-exhausted'] as const) {
      this.apiCalls.inc({ outcome, status: '403', operation }, 0);
    }
    for (const reason of ['truncated', 'timed-out'] as const)
      this.windowSplits.inc({ reason, operation }, 0);
    for (const outcome of RECONCILE_OUTCOMES) this.reconcilePasses.inc({ outcome, operation }, 0);
    this.reconcileCalls.inc({ operation }, 0);
    this.reconcileLate.inc({ operation }, 0);
    this.overflowingSeconds.inc({ operation }, 0);
    return {
      recordCall: (report) => this.recordCall(operation, report),
      recordCycle: (report) => this.recordCycle(operation, report),
      recordReconcile: (report) => this.recordReconcile(operation, report),
      trackSecretFile: (variable) => this.secretChanges.inc({ variable, operation }, 0),
      recordSecretChange: (variable) => this.secretChanges.inc({ variable, operation }),
      close: () => this.operations.delete(operation),
    };
  }

  private recordCall(operation: string, report: CallReport): void {
    this.apiCalls.inc({
      outcome: report.result,
      status: String(report.httpStatus ?? 'none'),
      operation,
    });
    this.apiCallDuration.observe({ operation }, report.durationMs / 1000);
    this.recordsFetched.inc({ operation }, report.returned);
  }

  private recordCycle(operation: string, { outcome, durationMs }: CycleReport): void {
    this.cycleDuration.observe({ operation }, durationMs / 1000);
    let reason = '';
    switch (outcome.kind) {
      case 'published':
        this.eventsPublished.inc({ operation }, outcome.events);
        this.deadLetters.inc({ operation }, outcome.deadLetters);
        this.duplicatesSkipped.inc({ operation }, outcome.duplicates);
        if (outcome.overflowingSecond) this.overflowingSeconds.inc({ operation });
        break;
      case 'split':
        reason = outcome.reason;
        this.windowSplits.inc({ reason, operation });
        break;
      case 'source-failed':
        reason = outcome.outcome.kind;
        break;
      default:
        break;
    }
    this.cycles.inc({ outcome: outcome.kind, reason, operation });
  }

  private recordReconcile(operation: string, report: ReconcileReport): void {
    if (report.kind === 'pass') {
      this.reconcilePasses.inc({ outcome: report.outcome, operation });
      return;
    }
    this.reconcileCalls.inc({ operation }, report.calls);
    this.reconcileLate.inc({ operation }, report.found);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** What one operation's runtime reports to the process's metrics, under its `operation` label. */
export interface OperationMetrics {
  recordCall(report: CallReport): void;
  recordCycle(report: CycleReport): void;
  recordReconcile(report: ReconcileReport): void;
  /** A secret file is configured: its series starts at 0, so `increase()` sees the first change. */
  trackSecretFile(variable: string): void;
  recordSecretChange(variable: string): void;
  /** The operation's runtime stopped: its gauges are no longer read (its counters stay). */
  close(): void;
}
