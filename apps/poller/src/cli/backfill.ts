import { formatWallTime, type WallSeconds } from '@app/contracts';
import { describeSourceFailureForRun } from '../cycle/source-failures.js';
import type { Checkpoint } from '../ports/checkpoint-store.port.js';
import type { PublishTally } from '../range/range-ports.js';
import type { RangeRunner, RangeStep } from '../range/range-runner.js';

/**
 * Backfill: read a past range of the report again and publish what the topics do not hold
 * (records that turned up after the poller's look-back had passed them, or a range from before
 * POLL_START_AT).
 *
 * Why it can run beside a live poller without a duplicate, and why it neither fences the poller
 * nor is fenced by it:
 * - it reads only dates before the checkpoint's `settledBefore`. The poller never reads those
 *   again (settledBefore only moves forward), so the two never read, and so never publish, the
 *   same records; what lies at or after settledBefore the poller re-reads itself;
 * - within its range it skips every key the events and dead-letter topics already hold (read
 *   with read_committed before it starts, so it sees everything the poller committed there);
 * - it publishes with a transactional id of its own, `wolkvox-backfill-<server>`: a second
 *   backfill of the same operation fences the first (no two backfills race on the same keys),
 *   while the poller's `wolkvox-poller-<server>` is left alone;
 * - it never writes the progress topic: the operation's checkpoint belongs to the poller.
 */

export type BackfillPlan =
  | { kind: 'range'; from: WallSeconds; last: WallSeconds; clampedAt?: WallSeconds }
  | { kind: 'nothing'; reason: string }
  | { kind: 'refused'; reason: string };

/** Where a backfill of [from, to) may read, given the operation's checkpoint. Pure. */
export function planBackfill(
  from: WallSeconds,
  toExclusive: WallSeconds,
  checkpoint: Checkpoint | null,
): BackfillPlan {
  if (toExclusive <= from) return { kind: 'refused', reason: '--to must be after --from' };
  if (!checkpoint) {
    return {
      kind: 'refused',
      reason:
        'this operation has no checkpoint yet: no poller has run, so there is nothing to fill in; start the poller with POLL_START_AT at the start of the range instead',
    };
  }
  const { settledBefore } = checkpoint.progress;
  const last = Math.min(toExclusive - 1, settledBefore - 1);
  if (last < from) {
    return {
      kind: 'nothing',
      reason: `the range starts at or after the checkpoint's settledBefore (${formatWallTime(settledBefore)}): the poller reads it, late records included, itself`,
    };
  }
  return last < toExclusive - 1
    ? { kind: 'range', from, last, clampedAt: settledBefore }
    : { kind: 'range', from, last };
}

export interface BackfillSummary {
  from: string;
  to: string;
  complete: boolean;
  /** Why the backfill stopped before the end of its range. */
  stoppedBecause?: string;
  windows: number;
  splits: number;
  fetched: number;
  published: PublishTally;
  /** One-second windows that still held the API's cut: records beyond it cannot be read. */
  overflowingSeconds: string[];
}

export interface BackfillRun {
  runner: RangeRunner;
  range: { from: WallSeconds; last: WallSeconds };
  /** Seconds of the range read so far (the progress bar). */
  onProgress?: (secondsDone: number, summary: BackfillSummary) => void;
  signal?: AbortSignal;
  /** Waits out a retry after a failed publish (the runner's clock must agree with it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Steps the range runner to the end of the range, through the same PollCycle as the poller
 * (range-runner.ts confines it to the range). After a failed publish it waits as the runner says
 * and reads on from the last window committed. Stops, with the reason, on what a retry now
 * cannot fix; the summary says how far it got, and a rerun skips what was published.
 */
export async function runBackfill(run: BackfillRun): Promise<BackfillSummary> {
  const { runner, range } = run;
  const sleep = run.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const summary: BackfillSummary = {
    from: formatWallTime(range.from),
    to: formatWallTime(range.last),
    complete: false,
    windows: 0,
    splits: 0,
    fetched: 0,
    published: runner.tally,
    overflowingSeconds: [],
  };
  for (;;) {
    if (run.signal?.aborted) return { ...summary, stoppedBecause: 'interrupted' };
    const step = await runner.step(run.signal);
    if (step.kind === 'retry') {
      await sleep(step.inMs);
      continue;
    }
    if (step.kind === 'stopped') return { ...summary, stoppedBecause: stopReason(step.outcome) };
    const { outcome } = step;
    if (outcome.kind === 'split') summary.splits++;
    if (outcome.kind === 'published') {
      summary.windows++;
      summary.fetched += outcome.fetched;
      if (outcome.overflowingSecond)
        summary.overflowingSeconds.push(formatWallTime(outcome.window.from));
      run.onProgress?.(Math.min(runner.resumeAt, range.last + 1) - range.from, summary);
    }
    if (step.complete) return { ...summary, complete: true };
  }
}

/** Why the backfill stopped before the end of its range, for its summary. */
function stopReason(outcome: Extract<RangeStep, { kind: 'stopped' }>['outcome']): string {
  switch (outcome.kind) {
    case 'publish-failed':
      return `Kafka: ${outcome.error.message}`;
    case 'fenced':
      return 'another backfill of this operation started and took over (fenced this one)';
    case 'standby':
      // The backfill's store reports no lease holder; should one appear, waiting is wrong.
      return `the operation's lease is held by ${outcome.owner.id}`;
    case 'source-failed':
      return `Wolkvox: ${describeSourceFailureForRun(outcome.outcome)}`;
    case 'checkpoint-unreadable':
      // The backfill's progress is built by its store, never read: this cannot happen.
      return outcome.kind;
  }
}
