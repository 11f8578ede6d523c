import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';

/**
 * The poller's progress through one operation's cdr_9 report: what the checkpoint stores and
 * what a restart resumes from.
 *
 * Two positions, because records can show up late (an old `date` that the API starts returning
 * later):
 * - `cursor`: every date before it has been read at least once.
 * - `settledBefore`: every date before it was read at a moment when it was already older than the
 *   look-back, so no late record can still appear there; it is never read again. Each sweep
 *   re-reads from here, which is what re-reads the look-back for late records.
 * `seen` holds the keys published for dates at or after `settledBefore`: re-reading that span
 * finds them again, and they are not published twice.
 */
export interface Progress {
  cursor: WallSeconds;
  settledBefore: WallSeconds;
  seen: SeenKeys;
  /** Requests spent on the operation's local day `day` (the API budget is per local day). */
  budget?: { day: string; used: number };
}

/**
 * Where the sweep in progress stands. A sweep reads from `start` (the settled position when it
 * began) to `end` (the present then), window after window. Kept in the checkpoint so that a
 * poller restarted after a cut (a crash loop, an OOM kill, a deploy) reads the piece it was
 * about to read, sized by the density it had learnt, instead of a 31-day window that the API
 * cuts again and again until the same split is found.
 */
export interface SweepState {
  start: WallSeconds;
  /** The next window of the sweep starts here. */
  position: WallSeconds;
  end: WallSeconds;
  /** Valid records its windows held. */
  records: number;
  /** Records per second that windows are sized by (the sweep's, or the last sweep's). */
  density?: number;
  /**
   * The smaller piece of a window that came back cut or timed out, to read next, and how often
   * its range was cut; `whole`: the same window, to be read again held whole.
   */
  retry?: { window: WallWindow; splits: number; whole?: boolean };
}

/**
 * The saved sweep when a restart should continue it: it was in the middle of a split (a piece
 * to read next), its position lies between what is settled and the cursor, and the piece starts
 * there. Anything else starts a new sweep, which is always safe (it only reads again).
 */
export function resumableSweep(
  progress: Progress,
  sweep: SweepState | undefined,
): SweepState | undefined {
  if (!sweep?.retry) return undefined;
  const ordered =
    sweep.start <= sweep.position &&
    sweep.position <= progress.cursor &&
    sweep.position >= progress.settledBefore &&
    sweep.records >= 0;
  const retryFits =
    sweep.retry.window.from === sweep.position && sweep.retry.window.to >= sweep.retry.window.from;
  return ordered && retryFits ? sweep : undefined;
}

/** Idempotency keys published, with the wall second of their record's `date`. */
export type SeenKeys = ReadonlyMap<string, WallSeconds>;

export function initialProgress(startAt: WallSeconds): Progress {
  return { cursor: startAt, settledBefore: startAt, seen: new Map() };
}

export interface WindowRead {
  window: WallWindow;
  /** Wall time on the operation's clock when the request was sent. */
  readAt: WallSeconds;
  /** Keys published from this window (already filtered against `seen`). */
  published: SeenKeys;
}

/**
 * Progress after a window was read completely and its events published. Dates in the window
 * that were already older than the look-back when it was read are settled, but only when the
 * window continues the settled span (no gap of unsettled dates before it).
 */
export function advance(progress: Progress, read: WindowRead, lookbackSeconds: number): Progress {
  const { window, readAt } = read;
  const cursor = Math.max(progress.cursor, window.to + 1);
  const settledBefore =
    window.from <= progress.settledBefore
      ? Math.max(progress.settledBefore, Math.min(window.to + 1, readAt - lookbackSeconds))
      : progress.settledBefore;
  const seen = new Map<string, WallSeconds>();
  for (const [key, wall] of progress.seen) if (wall >= settledBefore) seen.set(key, wall);
  for (const [key, wall] of read.published) if (wall >= settledBefore) seen.set(key, wall);
  return { ...progress, cursor, settledBefore, seen };
}
