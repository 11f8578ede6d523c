import type { WallSeconds } from '@app/contracts';
import {
  densityOf,
  planWindow,
  splitTruncated,
  WOLKVOX_LIMITS,
  type Window,
  type WindowLimits,
} from '../apps/poller/src/poll/window-planner.js';
import { lowerBound } from './fewest-calls.js';

/** Where the records of a backfill lie, sorted: all of them, and those that pass validation. */
export interface RecordWalls {
  all: readonly WallSeconds[];
  valid: readonly WallSeconds[];
}

export interface ReplayedCall extends Window {
  returned: number;
  cut: boolean;
}

/**
 * How the next window is sized: by the density of everything the pass has read so far (the
 * poll cycle's rule, which a burst in the last window moves less) or, as the rule it replaced,
 * by the density of the last window read.
 */
export type DensityRule = 'last-window' | 'whole-pass';

/**
 * The calls the poll cycle would make for one pass over `from..end`, replayed on the ground truth
 * with the poller's own pure decisions (planWindow, splitTruncated, densityOf) and the API's cut
 * (the first `truncationLimit` records by date, as the simulator cuts). Used to see what the
 * window limits cost in calls, and what another `targetRecords` or density rule would cost,
 * without a run.
 */
export function replayPlanner(
  walls: RecordWalls,
  from: WallSeconds,
  end: WallSeconds,
  limits: WindowLimits = WOLKVOX_LIMITS,
  rule: DensityRule = 'whole-pass',
  truncationLimit = 60_000,
): ReplayedCall[] {
  const calls: ReplayedCall[] = [];
  let position = from;
  let density: number | undefined;
  const pass = { records: 0, seconds: 0 };
  let retry: { window: Window; splits: number } | undefined;
  for (;;) {
    const window = retry?.window ?? planWindow(position, end, density, limits);
    if (!window) return calls;
    const first = lowerBound(walls.all, window.from);
    const held = lowerBound(walls.all, window.to + 1) - first;
    const cut = held >= truncationLimit;
    calls.push({ ...window, returned: Math.min(held, truncationLimit), cut });
    if (cut && window.to > window.from) {
      const returned = walls.all.slice(first, first + truncationLimit);
      const decision = splitTruncated(window, returned, retry?.splits ?? 0);
      if (decision.kind === 'indivisible') throw new Error('a single second holds the cut');
      retry = { window: decision.window, splits: (retry?.splits ?? 0) + 1 };
      continue;
    }
    // The poll cycle sizes the next window by the valid records it mapped.
    const valid = lowerBound(walls.valid, window.to + 1) - lowerBound(walls.valid, window.from);
    pass.records += valid;
    pass.seconds += window.to - window.from + 1;
    density = rule === 'last-window' ? densityOf(window, valid) : pass.records / pass.seconds;
    position = window.to + 1;
    retry = undefined;
  }
}
