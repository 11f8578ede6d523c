import { MAX_QUERY_SPAN_SECONDS, type WallSeconds } from '@app/contracts';
import { lowerBound } from '../apps/poller/src/cycle/window-planner.js';

export { lowerBound };

/** The API's limits on one call (docs/CONTRACT.md section 2). */
export interface CallLimits {
  /** A response of this many records may have been cut, so a usable window holds fewer. */
  truncationLimit: number;
  /** At most this many seconds between date_ini and date_end. */
  maxSpanSeconds: number;
}

export const API_LIMITS: CallLimits = {
  truncationLimit: 60_000,
  maxSpanSeconds: MAX_QUERY_SPAN_SECONDS,
};

/**
 * The fewest calls that read every record of `from..to` (wall seconds, inclusive) in windows
 * that each hold fewer than `truncationLimit` records and span at most 31 days, knowing where
 * every record lies (the simulator's ground truth; no poller can know it in advance).
 *
 * Greedy from the left, each window as long as the limits allow, is optimal: both limits are
 * monotone in the window's end, so by induction the greedy k-th window ends at least as late as
 * the k-th window of any valid cover, and no cover needs fewer windows.
 *
 * @param walls the records' wall seconds, sorted ascending
 */
export function fewestCalls(
  walls: readonly WallSeconds[],
  from: WallSeconds,
  to: WallSeconds,
  limits: CallLimits = API_LIMITS,
): number {
  const usable = limits.truncationLimit - 1;
  let calls = 0;
  let start = from;
  let next = lowerBound(walls, from);
  while (start <= to) {
    let end = Math.min(to, start + limits.maxSpanSeconds);
    // The record after the `usable` first ones must fall outside the window.
    const first = next + usable;
    if (first < walls.length && walls[first] <= end) end = walls[first] - 1;
    if (end < start) {
      throw new Error(`the second ${start} alone holds ${limits.truncationLimit} records or more`);
    }
    calls += 1;
    start = end + 1;
    next = lowerBound(walls, start, next);
  }
  return calls;
}
