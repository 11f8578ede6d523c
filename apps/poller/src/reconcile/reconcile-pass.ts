import type { WallSeconds } from '@app/contracts';
import {
  RangeLimitedSource,
  RangeStartStore,
  UnpublishedOnlyPublisher,
} from '../cli/backfill-ports.js';
import { RANGE_RUN, type PollCycleSettings } from '../cycle/cycle-settings.js';
import { describeSourceFailure, isBudgetSpent } from '../cycle/source-failures.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import type { EmailSource } from '../ports/email-source.port.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { PassOutcome } from './reconcile-schedule.js';

/** How a pass's cycle differs from the live poll's (cycleSettingsFrom), beyond RANGE_RUN. */
export const PASS_OVERRIDES = {
  ...RANGE_RUN,
  // Nothing is re-read within a pass: each window is read once, up to the range's end.
  lookbackSeconds: 0,
  // Its store holds no budget to restore: the pass spends the live poll's count.
  unrecordedCallAllowance: 0,
  instanceId: 'reconcile',
} as const satisfies Partial<PollCycleSettings>;

/** Failed publishes in a row (Kafka away) before the pass gives up until its next slot. */
const MAX_PUBLISH_FAILURES = 3;

export interface PassSetup {
  range: { from: WallSeconds; last: WallSeconds };
  /** The live poll's client: both take turns on its slots and spend its one budget. */
  source: EmailSource;
  /** A transactional publisher of the pass's own id, never the live poll's. */
  publisher: EventPublisher;
  /** Keys the events and dead-letter topics held when the pass started. */
  published: { events: Set<string>; deadLetters: Set<string> };
  density: number | undefined;
  /** The live poll's settings with PASS_OVERRIDES. */
  settings: PollCycleSettings;
}

export type StepResult =
  | { kind: 'continue'; found: number; deadLetters: number; calls: number }
  | {
      kind: 'ended';
      outcome: PassOutcome;
      found: number;
      deadLetters: number;
      calls: number;
      reason?: string;
    };

/**
 * One reconciliation pass over a past range, a window per step, through the very PollCycle the
 * live poll and the backfill run (backfill-ports.ts confines it to the range and publishes only
 * keys the topics do not hold). It writes no checkpoint: the live one is the live poll's.
 */
export class ReconcilePass {
  private readonly cycle: PollCycle;
  private readonly filter: UnpublishedOnlyPublisher;
  private readonly store: RangeStartStore;
  private reported = { events: 0, deadLetters: 0 };
  private publishFailures = 0;

  constructor(private readonly setup: PassSetup) {
    this.filter = new UnpublishedOnlyPublisher(setup.publisher, setup.published);
    this.cycle = new PollCycle(
      new RangeLimitedSource(setup.source, setup.range.last),
      this.filter,
      // A pass starts at its range's start with the live poll's density, so its first window
      // is sized like the live poll's. No lease, and no budget to restore: the pass shares the
      // live poll's client and its count.
      (this.store = new RangeStartStore(
        setup.range.from,
        setup.density !== undefined ? { density: setup.density } : {},
      )),
      setup.settings,
    );
  }

  get tally() {
    return this.filter.tally;
  }

  /** Reads the next window; what it published counts once its transaction committed. */
  async step(signal?: AbortSignal): Promise<StepResult> {
    const usedBefore = this.setup.source.budget().used;
    const outcome = await this.cycle.run(signal);
    // The two take turns (the poller runs one or the other), so what the day's count moved by
    // is what this step spent; a new day starts it at 0.
    const calls = Math.max(0, this.setup.source.budget().used - usedBefore);
    const tally = this.filter.tally;
    const found = tally.events - this.reported.events;
    const deadLetters = tally.deadLetters - this.reported.deadLetters;
    this.reported = { events: tally.events, deadLetters: tally.deadLetters };
    const figures = { found, deadLetters, calls };
    if (outcome.kind !== 'publish-failed') this.publishFailures = 0;
    switch (outcome.kind) {
      case 'published':
        this.store.from = outcome.window.to + 1;
        if (outcome.window.to >= this.setup.range.last)
          return { kind: 'ended', outcome: 'completed', ...figures };
        return { kind: 'continue', ...figures };
      case 'caught-up':
        return { kind: 'ended', outcome: 'completed', ...figures };
      case 'split':
      case 'read-whole':
        return { kind: 'continue', ...figures };
      case 'publish-failed':
        // The cycle claims and reloads (from where the pass stands) at the next step.
        if (++this.publishFailures < MAX_PUBLISH_FAILURES) return { kind: 'continue', ...figures };
        return {
          kind: 'ended',
          outcome: 'failed',
          reason: `Kafka: ${outcome.error.message}`,
          ...figures,
        };
      case 'fenced':
        return {
          kind: 'ended',
          outcome: 'failed',
          reason: 'a backfill of this operation started and took over (fenced the pass)',
          ...figures,
        };
      case 'source-failed':
        return {
          kind: 'ended',
          outcome: isBudgetSpent(outcome.outcome) ? 'stopped-budget' : 'failed',
          reason: `Wolkvox: ${describeSourceFailure(outcome.outcome)}`,
          ...figures,
        };
      case 'standby':
      case 'checkpoint-unreadable':
        // The pass's store has no lease and its progress is built here: neither can happen.
        return { kind: 'ended', outcome: 'failed', reason: outcome.kind, ...figures };
    }
  }
}
