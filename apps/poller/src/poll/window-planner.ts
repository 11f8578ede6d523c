import type { WallSeconds } from '@app/contracts';

/**
 * Window planning: pure decisions about which `date_ini..date_end` to ask Wolkvox for next.
 *
 * A window is inclusive at both ends and made of whole wall seconds, so it can never cut a
 * second in two; the window after [from, to] starts at to + 1.
 */
export interface Window {
  from: WallSeconds;
  to: WallSeconds;
}

export interface WindowLimits {
  /** The API refuses more than 31 days between date_ini and date_end. */
  maxSpanSeconds: number;
  /** Records a window should hold, below the API's 60,000 cut, to leave room for error. */
  targetRecords: number;
}

/** Windows aim at three quarters of the API's cut: room for the density to be misjudged. */
export function limitsFor(maxRecords: number): WindowLimits {
  return { maxSpanSeconds: 31 * 86_400, targetRecords: Math.max(1, Math.floor(maxRecords * 0.75)) };
}

export const WOLKVOX_LIMITS: WindowLimits = limitsFor(60_000);

export function windowSpan(window: Window): number {
  return window.to - window.from + 1;
}

/**
 * The next window of a pass that starts at `from` and must end by `end` (the present less the
 * settle lag): as long as the API allows, shortened when the density seen so far says it would
 * hold more than the target. Null when there is nothing to read yet.
 */
export function planWindow(
  from: WallSeconds,
  end: WallSeconds,
  recordsPerSecond: number | undefined,
  limits: WindowLimits = WOLKVOX_LIMITS,
): Window | null {
  if (from > end) return null;
  let span = limits.maxSpanSeconds;
  if (recordsPerSecond !== undefined && recordsPerSecond > 0) {
    span = Math.min(span, Math.max(1, Math.floor(limits.targetRecords / recordsPerSecond)));
  }
  return { from, to: Math.min(end, from + span - 1) };
}

/**
 * Records per second in a window that was read completely: the density the next window is
 * sized by. An empty window gives 0, and the next one may span the full 31 days again.
 */
export function densityOf(window: Window, records: number): number {
  return records / windowSpan(window);
}

export type SplitDecision =
  | { kind: 'retry'; window: Window }
  /** The window is one second and still holds the cut: it cannot be split. */
  | { kind: 'indivisible' };

/**
 * Where to cut a window whose response came back with the API's 60,000-record cut.
 *
 * The records returned tell where the cut fell. Whether Wolkvox cuts the first 60,000 by date
 * (a prefix) or an arbitrary 60,000 is not documented, so nothing from a cut response is
 * published; its dates only choose the retry. The first retry keeps the window up to the date
 * below which 90% of the returned records lie: if the cut is a prefix, that retry holds < 90%
 * of the limit and succeeds at once. When a retry is cut again (the cut was not a prefix), the
 * next cut is at the median, which halves any distribution.
 */
export function splitTruncated(
  window: Window,
  returnedWalls: readonly WallSeconds[],
  previousSplitsOfThisRange: number,
): SplitDecision {
  if (window.from >= window.to) return { kind: 'indivisible' };
  const sorted = [...returnedWalls].sort((a, b) => a - b);
  const quantile = previousSplitsOfThisRange === 0 ? 0.9 : 0.5;
  const pivot = sorted.length ? sorted[Math.floor(sorted.length * quantile)] : window.from;
  // End just before the pivot second so the whole pivot second falls in the next window.
  const to = clamp(pivot - 1, window.from, window.to - 1);
  return { kind: 'retry', window: { from: window.from, to } };
}

/** Halves a window that hit the API's 60 s limit (there is no response to learn from). */
export function splitTimedOut(window: Window): SplitDecision {
  if (window.from >= window.to) return { kind: 'indivisible' };
  return {
    kind: 'retry',
    window: { from: window.from, to: window.from + Math.floor((window.to - window.from) / 2) },
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
