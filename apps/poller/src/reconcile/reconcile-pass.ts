import type { WallSeconds } from '@app/contracts';
import { RANGE_RUN, type PollCycleSettings } from '../cycle/cycle-settings.js';
import { describeSourceFailure, isBudgetSpent } from '../cycle/source-failures.js';
import { RangeRunner, type RangeStep } from '../range/range-runner.js';
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
  /** Kafka did not take a window: the pass gives up its turns until the retry is due. */
  | { kind: 'wait'; found: number; deadLetters: number; calls: number }
  | {
      kind: 'ended';
      outcome: PassOutcome;
      found: number;
      deadLetters: number;
      calls: number;
      reason?: string;
    };

/**
 * One reconciliation pass over a past range, a window per step, through the range runner the
 * backfill steps too (the very PollCycle the live poll runs, confined to the range, publishing
 * only keys the topics do not hold). It writes no checkpoint: the live one is the live poll's.
 */
export class ReconcilePass {
  private readonly runner: RangeRunner;
  private reported = { events: 0, deadLetters: 0 };

  constructor(private readonly setup: PassSetup) {
    // A pass starts at its range's start with the density its caller found, so its first window
    // is not a 31-day one the API would cut. No lease, and no budget to restore: the pass shares
    // the live poll's client and its count.
    const { density, ...run } = setup;
    this.runner = new RangeRunner({
      ...run,
      ...(density !== undefined ? { start: { density } } : {}),
    });
  }

  get tally() {
    return this.runner.tally;
  }

  /** Reads the next window; what it published counts once its transaction committed. */
  async step(signal?: AbortSignal): Promise<StepResult> {
    const usedBefore = this.setup.source.budget().used;
    const step = await this.runner.step(signal);
    // The two take turns (the poller runs one or the other), so what the day's count moved by
    // is what this step spent; a new day starts it at 0.
    const calls = Math.max(0, this.setup.source.budget().used - usedBefore);
    const tally = this.runner.tally;
    const found = tally.events - this.reported.events;
    const deadLetters = tally.deadLetters - this.reported.deadLetters;
    this.reported = { events: tally.events, deadLetters: tally.deadLetters };
    const figures = { found, deadLetters, calls };
    switch (step.kind) {
      case 'read':
        return step.complete
          ? { kind: 'ended', outcome: 'completed', ...figures }
          : { kind: 'continue', ...figures };
      case 'retry':
        return { kind: 'wait', ...figures };
      case 'stopped':
        return { kind: 'ended', ...ending(step.outcome), ...figures };
    }
  }
}

/** How a pass the runner stopped ended, and why. */
function ending(outcome: Extract<RangeStep, { kind: 'stopped' }>['outcome']): {
  outcome: PassOutcome;
  reason: string;
} {
  switch (outcome.kind) {
    case 'publish-failed':
      return { outcome: 'failed', reason: `Kafka: ${outcome.error.message}` };
    case 'fenced':
      return {
        outcome: 'failed',
        reason: 'a backfill of this operation started and took over (fenced the pass)',
      };
    case 'source-failed':
      return {
        outcome: isBudgetSpent(outcome.outcome) ? 'stopped-budget' : 'failed',
        reason: `Wolkvox: ${describeSourceFailure(outcome.outcome)}`,
      };
    case 'standby':
    case 'checkpoint-unreadable':
      // The pass's store has no lease and its progress is built here: neither can happen.
      return { outcome: 'failed', reason: outcome.kind };
  }
}
