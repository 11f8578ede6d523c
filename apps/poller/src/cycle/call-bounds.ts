import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';

/**
 * Which `date_ini..date_end` to send for a window, when Wolkvox does not say whether the bounds
 * are inclusive. Pure.
 *
 * Until the API has shown otherwise, a call asks for one second more on each side. Under every
 * reading (both inclusive, `date_end` exclusive, `date_ini` exclusive, both exclusive) that call
 * covers every second of the window; the extra seconds cost no call (their records are left to
 * the window that holds them, and keys absorb what two reads both publish), and the planner
 * keeps windows two seconds short of 31 days so the widened call still fits the API's limit.
 *
 * A response proves a bound inclusive the moment it holds a record dated exactly at it. From
 * then on that side is asked for exactly: a second beyond the window is no longer read, which
 * matters when that second is dense enough to fill the API's cut by itself (its records would
 * crowd the window's own out of every response).
 */
export interface InclusiveBounds {
  /** A record dated exactly at `date_ini` came back: `date_ini` is inclusive. */
  start: boolean;
  /** A record dated exactly at `date_end` came back: `date_end` is inclusive. */
  end: boolean;
}

export const UNPROVEN_BOUNDS: InclusiveBounds = { start: false, end: false };

/** How much wider than its window a call asks, on each side not proven inclusive. */
export const CALL_MARGIN_SECONDS = 1;

export function callWindowFor(
  window: WallWindow,
  proven: InclusiveBounds = UNPROVEN_BOUNDS,
): WallWindow {
  return {
    from: proven.start ? window.from : window.from - CALL_MARGIN_SECONDS,
    to: proven.end ? window.to : window.to + CALL_MARGIN_SECONDS,
  };
}

/** What the records a call returned prove about the bounds, added to what was proven before. */
export function provenBounds(
  call: WallWindow,
  returnedWalls: readonly WallSeconds[],
  before: InclusiveBounds,
): InclusiveBounds {
  if (before.start && before.end) return before;
  let { start, end } = before;
  for (const wall of returnedWalls) {
    if (wall === call.from) start = true;
    if (wall === call.to) end = true;
  }
  return start === before.start && end === before.end ? before : { start, end };
}
