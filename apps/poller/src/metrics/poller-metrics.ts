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

/** What the metrics read at scrape time rather than count as things happen. */
export interface PollerGaugeSources {
  budget(): BudgetSnapshot;
  /** The committed checkpoint's cursor; undefined before the first load. */
  cursor(): WallSeconds | undefined;
  /** The operation's wall clock now. */
  nowWall(): WallSeconds;
  lastGoodPollAt(): Date | undefined;
  fenced(): boolean;
  /**
   * Readiness and each of its indicators (true unless down): the same check as
   * `GET /health/ready`, made at scrape time so that an alert does not depend on someone
   * probing. Without it (tools that only count) the readiness gauges are absent.
   */
  readiness?(): Promise<ReadinessGauges>;
}

/**
 * The poller's Prometheus metrics in a registry of their own (nothing global, so tests and a
 * second instance cannot collide). Counters move as calls and cycles are reported; gauges are
 * read when scraped. Labels take values from closed sets only (outcome kinds, HTTP statuses),
 * never from messages, so no secret and no unbounded value can reach them.
 */
export class PollerMetrics {
  readonly registry = new Registry();

  private readonly apiCalls = new Counter({
    name: `${PREFIX}api_calls_total`,
    help: 'HTTP requests to the Wolkvox API (each costs one unit of the daily budget), by outcome and HTTP status ("none" when no response arrived)',
    labelNames: ['outcome', 'status'] as const,
    registers: [this.registry],
  });
  private readonly apiCallDuration = new Histogram({
    name: `${PREFIX}api_call_duration_seconds`,
    help: 'Duration of HTTP requests to the Wolkvox API',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly recordsFetched = new Counter({
    name: `${PREFIX}records_fetched_total`,
    help: 'Records the Wolkvox API returned, valid or not (a window read again after a cut counts again)',
    registers: [this.registry],
  });
  private readonly eventsPublished = new Counter({
    name: `${PREFIX}events_published_total`,
    help: 'email.sent events published (committed) to the events topic',
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: `${PREFIX}dead_letters_total`,
    help: 'Records published to the dead-letter topic (invalid or too large)',
    registers: [this.registry],
  });
  private readonly duplicatesSkipped = new Counter({
    name: `${PREFIX}duplicates_skipped_total`,
    help: 'Events not published because their key was already published (look-back re-reads)',
    registers: [this.registry],
  });
  private readonly windowSplits = new Counter({
    name: `${PREFIX}window_splits_total`,
    help: 'Windows read again in smaller pieces, by reason (truncated: the 60,000-record cut; timed-out: the 60 s limit)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly overflowingSeconds = new Counter({
    name: `${PREFIX}overflowing_seconds_total`,
    help: "One-second windows that still held the API's 60,000-record cut: records beyond it cannot be read",
    registers: [this.registry],
  });
  private readonly cycles = new Counter({
    name: `${PREFIX}cycles_total`,
    help: 'Poll cycles by outcome; reason details source-failed (the API answer) and split',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly secretChanges = new Counter({
    name: `${PREFIX}secret_changes_total`,
    help: 'New values read from a secret file while running, by variable (WOLKVOX_TOKEN_FILE, KAFKA_SASL_PASSWORD_FILE)',
    labelNames: ['variable'] as const,
    registers: [this.registry],
  });
  private readonly reconcilePasses = new Counter({
    name: `${PREFIX}reconcile_passes_total`,
    help: 'Daily reconciliation passes by outcome (completed, skipped-budget, stopped-budget, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly reconcileCalls = new Counter({
    name: `${PREFIX}reconcile_calls_total`,
    help: 'API requests spent by reconciliation passes (part of the daily budget the live poll shares)',
    registers: [this.registry],
  });
  private readonly reconcileLate = new Counter({
    name: `${PREFIX}reconcile_late_records_total`,
    help: "email.sent events published by reconciliation passes: emails that showed up after the live poll's look-back had passed them",
    registers: [this.registry],
  });
  private readonly cycleDuration = new Histogram({
    name: `${PREFIX}cycle_duration_seconds`,
    help: 'Duration of poll cycles (one window: fetch, map, publish)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  constructor(
    private readonly sources: PollerGaugeSources,
    options: { defaultMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    // Series that alerts and the dashboard watch exist at 0 from the start: increase() then sees
    // the first refusal or split, which a series born at 1 would hide.
    for (const outcome of ['token-rejected', 'budget-exhausted'] as const) {
      this.apiCalls.inc({ outcome, status: '403' }, 0);
    }
    for (const reason of ['truncated', 'timed-out'] as const) this.windowSplits.inc({ reason }, 0);
    for (const outcome of RECONCILE_OUTCOMES) this.reconcilePasses.inc({ outcome }, 0);
    this.reconcileCalls.inc(0);
    this.reconcileLate.inc(0);
    new Gauge({
      name: `${PREFIX}budget_used_requests`,
      help: "Requests spent on the operation's current local day",
      registers,
      collect() {
        this.set(sources.budget().used);
      },
    });
    new Gauge({
      name: `${PREFIX}budget_remaining_requests`,
      help: "Requests left on the operation's current local day (absent without WOLKVOX_DAILY_QUOTA)",
      registers,
      collect() {
        const { remaining } = sources.budget();
        if (remaining === undefined) this.remove();
        else this.set(remaining);
      },
    });
    new Gauge({
      name: `${PREFIX}budget_limit_requests`,
      help: 'WOLKVOX_DAILY_QUOTA: requests the poller may spend per local day (absent when unset)',
      registers,
      collect() {
        const { limit } = sources.budget();
        if (limit === undefined) this.remove();
        else this.set(limit);
      },
    });
    new Gauge({
      name: `${PREFIX}checkpoint_lag_seconds`,
      help: "Seconds between now and the checkpoint's cursor, on the operation's clock (absent before the first checkpoint load)",
      registers,
      collect() {
        const cursor = sources.cursor();
        if (cursor === undefined) this.remove();
        else this.set(Math.max(0, sources.nowWall() - cursor));
      },
    });
    new Gauge({
      name: `${PREFIX}last_good_poll_timestamp_seconds`,
      help: 'Unix time of the last good poll cycle (absent before the first)',
      registers,
      collect() {
        const at = sources.lastGoodPollAt();
        if (at === undefined) this.remove();
        else this.set(at.getTime() / 1000);
      },
    });
    new Gauge({
      name: `${PREFIX}fenced`,
      help: '1 when another poller of the operation took over and this one stopped publishing',
      registers,
      collect() {
        this.set(sources.fenced() ? 1 : 0);
      },
    });
    const readiness = sources.readiness?.bind(sources);
    if (readiness) {
      // One check serves both gauges of a scrape (prom-client collects them one after the other).
      let shared: Promise<ReadinessGauges> | undefined;
      const check = () =>
        (shared ??= readiness().finally(() => setImmediate(() => (shared = undefined))));
      new Gauge({
        name: `${PREFIX}ready`,
        help: '1 when GET /health/ready answers 200 (every indicator up or degraded), 0 when it answers 503',
        registers,
        async collect() {
          this.set((await check()).ready ? 1 : 0);
        },
      });
      new Gauge({
        name: `${PREFIX}health_indicator_up`,
        help: 'Each readiness indicator (checkpoint, kafka, polling, wolkvox): 1 up or degraded, 0 down',
        labelNames: ['indicator'] as const,
        registers,
        async collect() {
          for (const [indicator, up] of Object.entries((await check()).indicators)) {
            this.set({ indicator }, up ? 1 : 0);
          }
        },
      });
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  recordCall(report: CallReport): void {
    this.apiCalls.inc({ outcome: report.result, status: String(report.httpStatus ?? 'none') });
    this.apiCallDuration.observe(report.durationMs / 1000);
    this.recordsFetched.inc(report.returned);
  }

  recordCycle({ outcome, durationMs }: CycleReport): void {
    this.cycleDuration.observe(durationMs / 1000);
    let reason = '';
    switch (outcome.kind) {
      case 'published':
        this.eventsPublished.inc(outcome.events);
        this.deadLetters.inc(outcome.deadLetters);
        this.duplicatesSkipped.inc(outcome.duplicates);
        if (outcome.overflowingSecond) this.overflowingSeconds.inc();
        break;
      case 'split':
        reason = outcome.reason;
        this.windowSplits.inc({ reason });
        break;
      case 'source-failed':
        reason = outcome.outcome.kind;
        break;
      default:
        break;
    }
    this.cycles.inc({ outcome: outcome.kind, reason });
  }

  recordReconcile(report: ReconcileReport): void {
    if (report.kind === 'pass') {
      this.reconcilePasses.inc({ outcome: report.outcome });
      return;
    }
    this.reconcileCalls.inc(report.calls);
    this.reconcileLate.inc(report.found);
  }

  /** A secret file is configured: its series starts at 0, so `increase()` sees the first change. */
  trackSecretFile(variable: string): void {
    this.secretChanges.inc({ variable }, 0);
  }

  recordSecretChange(variable: string): void {
    this.secretChanges.inc({ variable });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
