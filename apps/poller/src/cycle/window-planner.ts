import { MAX_QUERY_SPAN_SECONDS, type WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';
import { CALL_MARGIN_SECONDS } from './call-bounds.js';

/**
 * Window planning: pure decisions about which `date_ini..date_end` to ask Wolkvox for next.
 *
 * A window is inclusive at both ends and made of whole wall seconds, so it can never cut a
 * second in two; the window after [from, to] starts at to + 1. It is the span the poller
 * publishes from; the call that reads it may ask for a second more on each side (call-bounds.ts),
 * because Wolkvox does not say whether `date_ini` and `date_end` are inclusive.
 */

export interface WindowLimits {
  /** The API refuses more than 31 days between date_ini and date_end. */
  maxSpanSeconds: number;
  /** Records a window should hold, below the API's 60,000 cut, to leave room for error. */
  targetRecords: number;
}

/**
 * Windows aim at three quarters of the API's cut: room for the density to be misjudged. They
 * span two seconds less than 31 days, so that the call, one second wider on each side, still
 * spans 31 days at most (`date_end - date_ini` = 31 days less one second).
 */
export function limitsFor(maxRecords: number): WindowLimits {
  return {
    maxSpanSeconds: MAX_QUERY_SPAN_SECONDS - 2 * CALL_MARGIN_SECONDS,
    targetRecords: Math.max(1, Math.floor(maxRecords * 0.75)),
  };
}

export const WOLKVOX_LIMITS: WindowLimits = limitsFor(60_000);

export function windowSpan(window: WallWindow): number {
  return window.to - window.from + 1;
}

/**
 * The next window of a sweep that starts at `from` and must end by `end` (the present less the
 * settle lag): as long as the API allows, shortened when the density seen so far says it would
 * hold more than the target. Null when there is nothing to read yet.
 */
export function planWindow(
  from: WallSeconds,
  end: WallSeconds,
  recordsPerSecond: number | undefined,
  limits: WindowLimits = WOLKVOX_LIMITS,
): WallWindow | null {
  if (from > end) return null;
  let span = limits.maxSpanSeconds;
  if (recordsPerSecond !== undefined && recordsPerSecond > 0) {
    span = Math.min(span, Math.max(1, Math.floor(limits.targetRecords / recordsPerSecond)));
  }
  return { from, to: Math.min(end, from + span - 1) };
}

/**
 * The records a cut response showed of its window: too few to publish (the cut may have left
 * others out), but each one surely there. Windows planned inside that window later are kept
 * short enough that these alone do not exceed the target: when the cut kept the newest (or the
 * oldest) records, the part of the window they cover is then read in as few calls as its
 * records need, instead of in windows sized by the sweep's density, which is blind to them.
 */
export interface KnownRecords {
  window: WallWindow;
  /** Sorted wall seconds of the valid records the cut response held inside `window`. */
  walls: readonly WallSeconds[];
}

export function capByKnownRecords(
  window: WallWindow,
  known: KnownRecords | undefined,
  limits: WindowLimits = WOLKVOX_LIMITS,
): WallWindow {
  if (!known || window.from > known.window.to || window.to < known.window.from) return window;
  // The (target + 1)-th known record from the window's start must fall outside it.
  const next = lowerBound(known.walls, window.from) + limits.targetRecords;
  if (next >= known.walls.length) return window;
  return { from: window.from, to: clamp(known.walls[next] - 1, window.from, window.to) };
}

/** Index of the first wall >= `value` in sorted `walls`, searching from `low`. */
export function lowerBound(walls: readonly WallSeconds[], value: WallSeconds, low = 0): number {
  let high = walls.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (walls[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Records per second in a window that was read completely: the density the next window is
 * sized by. An empty window gives 0, and the next one may span the full 31 days again.
 */
export function densityOf(window: WallWindow, records: number): number {
  return records / windowSpan(window);
}

export type SplitDecision =
  | { kind: 'retry'; window: WallWindow }
  /** The window is one second and still holds the cut: it cannot be split. */
  | { kind: 'indivisible' };

/**
 * Where to cut a window whose response came back with the API's 60,000-record cut.
 *
 * Wolkvox documents neither the order of a response nor which records a cut keeps: the oldest
 * 60,000, the newest, or any. So nothing from a cut response is published; its dates only
 * choose the retry, which always keeps the window's start, so that the sweep goes on from the
 * retry's end and reads the whole window in the end under any order. The order the records
 * arrived in hints at which ones the cut kept; a wrong hint costs calls, never records.
 *
 * - Oldest first: the retry ends below the date under which 90% of the returned records lie,
 *   so it holds < 90% of the limit and succeeds at once. If it is cut again, the hint was wrong:
 *   the median, as below.
 * - Newest first: the records returned are the window's last ones, all of them after their
 *   earliest second. The retry is the span before that second; the part they cover is then
 *   read in windows sized by them (capByKnownRecords).
 * - Any other order (the cut kept any records): the median of what came back, which halves the
 *   window's records.
 */
export function splitTruncated(
  window: WallWindow,
  returnedWalls: readonly WallSeconds[],
  previousSplitsOfThisRange: number,
): SplitDecision {
  if (window.from >= window.to) return { kind: 'indivisible' };
  // The call may read a second beyond each end: those records belong to other windows.
  const inWindow = returnedWalls.filter((wall) => wall >= window.from && wall <= window.to);
  // Cut by records of the seconds beside it: they say nothing of the window, halve it.
  if (inWindow.length === 0) return splitTimedOut(window);
  const order = arrivalOrder(inWindow);
  const sorted = [...inWindow].sort((a, b) => a - b);
  let to: WallSeconds;
  if (order === 'newest-first') {
    to = sorted[0] - 1;
  } else {
    const quantile = order === 'oldest-first' && previousSplitsOfThisRange === 0 ? 0.9 : 0.5;
    // End just before the pivot second so the whole pivot second falls in the next window.
    to = sorted[Math.floor(sorted.length * quantile)] - 1;
  }
  return {
    kind: 'retry',
    window: { from: window.from, to: clamp(to, window.from, window.to - 1) },
  };
}

/**
 * The order a response's records came in, by their dates: oldest first when (nearly) every
 * record is no older than the one before, newest first when (nearly) every one is no newer.
 * "Nearly": a late record filed out of place must not hide the order of 60,000 others.
 */
export function arrivalOrder(
  walls: readonly WallSeconds[],
): 'oldest-first' | 'newest-first' | 'mixed' {
  let up = 0;
  let down = 0;
  for (let i = 1; i < walls.length; i++) {
    if (walls[i] > walls[i - 1]) up++;
    else if (walls[i] < walls[i - 1]) down++;
  }
  const changes = up + down;
  if (changes === 0 || down <= changes * 0.01) return 'oldest-first';
  if (up <= changes * 0.01) return 'newest-first';
  return 'mixed';
}

/** Halves a window that hit the API's 60 s limit (there is no response to learn from), or
 * whose cut response held none of its own records. */
export function splitTimedOut(window: WallWindow): SplitDecision {
  if (window.from >= window.to) return { kind: 'indivisible' };
  return {
    kind: 'retry',
    window: { from: window.from, to: window.from + Math.floor((window.to - window.from) / 2) },
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
