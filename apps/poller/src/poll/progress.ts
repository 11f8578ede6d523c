import type { WallSeconds } from '@app/contracts';
import type { Window } from './window-planner.js';

/**
 * The poller's progress through one operation's cdr_9 report: what the checkpoint stores and
 * what a restart resumes from.
 *
 * Two positions, because records can show up late (an old `date` that the API starts returning
 * later):
 * - `cursor`: every date before it has been read at least once.
 * - `settledBefore`: every date before it was read at a moment when it was already older than the
 *   look-back, so no late record can still appear there; it is never read again. Each pass
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

/** Idempotency keys published, with the wall second of their record's `date`. */
export type SeenKeys = ReadonlyMap<string, WallSeconds>;

export function initialProgress(startAt: WallSeconds): Progress {
  return { cursor: startAt, settledBefore: startAt, seen: new Map() };
}

export interface WindowRead {
  window: Window;
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
