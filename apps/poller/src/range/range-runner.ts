import type { WallSeconds } from '@app/contracts';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import type { PollCycleSettings } from '../cycle/cycle-settings.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import type { Progress } from '../ports/checkpoint-store.port.js';
import type { EmailSource } from '../ports/email-source.port.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { afterPublishFailure } from './publish-retry.js';
import {
  RangeLimitedSource,
  RangeStartStore,
  UnpublishedOnlyPublisher,
  type PublishTally,
} from './range-ports.js';

export interface RangeRunSetup {
  /** The range to read, `last` included. */
  range: { from: WallSeconds; last: WallSeconds };
  source: EmailSource;
  /** A transactional publisher of the run's own id, never the live poll's. */
  publisher: EventPublisher;
  /** Keys the events and dead-letter topics held when the run started; extended as it commits. */
  published: { events: Set<string>; deadLetters: Set<string> };
  settings: PollCycleSettings;
  /** The day's spending so far (for a run with a client of its own), and a first density. */
  start?: { budget?: Progress['budget']; density?: number };
  /** Milliseconds now (the backoff's clock), and a uniform draw in [0, 1] for its jitter. */
  now?: () => number;
  random?: () => number;
}

/** A cycle that read: a window committed, a piece to read next, or the range read to its end. */
type Read = Extract<CycleOutcome, { kind: 'published' | 'split' | 'read-whole' | 'caught-up' }>;
/** What a retry now cannot fix (a publish failure only once the retries are spent). */
type Stop = Exclude<CycleOutcome, Read>;

export type RangeStep =
  /** `complete`: the range is read to its end; step no more. */
  | { kind: 'read'; outcome: Read; complete: boolean }
  /** Kafka did not take a window (or the claim): nothing moved; step again in `inMs`. */
  | { kind: 'retry'; inMs: number; error: Error }
  /** Step no more; `outcome` says why. */
  | { kind: 'stopped'; outcome: Stop };

/**
 * Runs the poll cycle over a past range, a window per step, for the backfill (which steps it to
 * the end) and the reconciliation sweep (a step per turn the live loop gives it): the very
 * PollCycle the live poll runs, confined to the range by range-ports.ts, with one rule for
 * failed publishes (publish-retry.ts) and a resume point that moves past every window committed,
 * so a reload after a failed publish reads on from there, not from the range's start.
 */
export class RangeRunner {
  private readonly cycle: PollCycle;
  private readonly filter: UnpublishedOnlyPublisher;
  private readonly store: RangeStartStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private publishFailures = 0;
  /** After a failed publish, no cycle runs before this (ms on `now`). */
  private retryAt = 0;
  private lastError: Error | undefined;

  constructor(private readonly setup: RangeRunSetup) {
    this.now = setup.now ?? Date.now;
    this.random = setup.random ?? Math.random;
    this.filter = new UnpublishedOnlyPublisher(setup.publisher, setup.published);
    this.store = new RangeStartStore(setup.range.from, setup.start);
    this.cycle = new PollCycle(
      new RangeLimitedSource(setup.source, setup.range.last),
      this.filter,
      this.store,
      setup.settings,
    );
  }

  /** What the run published, and skipped as already on the topics. */
  get tally(): PublishTally {
    return this.filter.tally;
  }

  /** Every second of the range before this was read and committed. */
  get resumeAt(): WallSeconds {
    return this.store.from;
  }

  /**
   * One cycle: reads the next window (or piece) and commits what the topics lack. While a retry
   * is due later, answers how long is left without touching the API or Kafka.
   */
  async step(signal?: AbortSignal): Promise<RangeStep> {
    const wait = this.retryAt - this.now();
    if (wait > 0) return { kind: 'retry', inMs: wait, error: this.lastError! };
    const outcome = await this.cycle.run(signal);
    if (outcome.kind !== 'publish-failed') this.publishFailures = 0;
    switch (outcome.kind) {
      case 'published':
        this.store.committed(outcome.window.to, this.cycle.density);
        return { kind: 'read', outcome, complete: outcome.window.to >= this.setup.range.last };
      case 'caught-up':
        return { kind: 'read', outcome, complete: true };
      case 'split':
      case 'read-whole':
        return { kind: 'read', outcome, complete: false };
      case 'publish-failed': {
        // The cycle claims again and reloads, from the resume point, at the next step.
        const next = afterPublishFailure(++this.publishFailures, this.random());
        if (next.kind === 'give-up') return { kind: 'stopped', outcome };
        this.retryAt = this.now() + next.inMs;
        this.lastError = outcome.error;
        return { kind: 'retry', inMs: next.inMs, error: outcome.error };
      }
      default:
        return { kind: 'stopped', outcome };
    }
  }
}
