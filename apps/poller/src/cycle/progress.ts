import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';
import type { Progress, SeenKeys, SweepState } from '../ports/checkpoint-store.port.js';

// The shapes are the checkpoint port's (ports/checkpoint-store.port.ts); these are the rules
// that move them.

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
