import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';
import {
  callWindowFor,
  provenBounds,
  UNPROVEN_BOUNDS,
  type InclusiveBounds,
} from '../apps/poller/src/cycle/call-bounds.js';
import {
  capByKnownRecords,
  densityOf,
  planWindow,
  splitTruncated,
  WOLKVOX_LIMITS,
  type KnownRecords,
  type WindowLimits,
} from '../apps/poller/src/cycle/window-planner.js';
import { mulberry32 } from '../apps/simulator/src/prng.js';
import {
  coveredSeconds,
  type BoundsMode,
  type RecordOrder,
} from '../apps/simulator/src/record-store.js';
import { lowerBound } from './fewest-calls.js';

/** Where the records of a backfill lie, sorted: all of them, and those that pass validation. */
export interface RecordWalls {
  all: readonly WallSeconds[];
  valid: readonly WallSeconds[];
}

export interface ReplayedCall extends WallWindow {
  returned: number;
  cut: boolean;
}

/**
 * How the next window is sized: by the density of everything the pass has read so far (the
 * poll cycle's rule, which a burst in the last window moves less) or, as the rule it replaced,
 * by the density of the last window read.
 */
export type DensityRule = 'last-window' | 'whole-pass';

export interface ReplayOptions {
  limits?: WindowLimits;
  rule?: DensityRule;
  truncationLimit?: number;
  /** How the API reads date_ini and date_end (the simulator's SIM_BOUNDS). */
  bounds?: BoundsMode;
  /** The order of a response, and so what a cut keeps (the simulator's SIM_ORDER). */
  order?: RecordOrder;
  /**
   * Whether calls are widened until the API proves a bound inclusive (the poll cycle's
   * call-bounds.ts); false replays the poller before that hedge, which asked for the window.
   */
  hedged?: boolean;
}

export interface Replay {
  calls: ReplayedCall[];
  /** Records of the pass's windows that no complete call covered: lost. */
  missed: number;
}

/**
 * The calls the poll cycle would make for one pass over `from..end`, replayed on the ground truth
 * with the poller's own pure decisions (planWindow, callWindowFor, provenBounds, splitTruncated,
 * densityOf) and the API as the simulator plays it (a reading of the bounds, an order, the cut at
 * `truncationLimit`). Used to see what the window limits and the hedges cost in calls, and what
 * another `targetRecords` or density rule would cost, without a run.
 */
export function replayPlanner(
  walls: RecordWalls,
  from: WallSeconds,
  end: WallSeconds,
  options: ReplayOptions = {},
): Replay {
  const limits = options.limits ?? WOLKVOX_LIMITS;
  const truncationLimit = options.truncationLimit ?? 60_000;
  const hedged = options.hedged ?? true;
  const random = mulberry32(7);
  const calls: ReplayedCall[] = [];
  let missed = 0;
  let position = from;
  let density: number | undefined;
  let proven: InclusiveBounds = UNPROVEN_BOUNDS;
  const pass = { records: 0, seconds: 0 };
  let retry: { window: WallWindow; splits: number } | undefined;
  let known: KnownRecords | undefined;
  for (;;) {
    const planned = planWindow(position, end, density, limits);
    const window = retry?.window ?? (planned && capByKnownRecords(planned, known, limits));
    if (!window) return { calls, missed };
    const call = hedged ? callWindowFor(window, proven) : window;
    const covered = coveredSeconds(call, options.bounds ?? 'inclusive');
    const first = lowerBound(walls.all, covered.from);
    const last = Math.max(first, lowerBound(walls.all, covered.to + 1));
    const returned = responseOrder(walls.all.slice(first, last), options.order, random).slice(
      0,
      truncationLimit,
    );
    const cut = returned.length >= truncationLimit;
    calls.push({ ...window, returned: returned.length, cut });
    if (hedged) proven = provenBounds(call, returned, proven);
    if (cut && window.to > window.from) {
      const decision = splitTruncated(window, returned, retry?.splits ?? 0);
      known = {
        window,
        walls: returned.filter((w) => w >= window.from && w <= window.to).sort((a, b) => a - b),
      };
      if (decision.kind === 'indivisible') throw new Error('unreachable: the window is wider');
      retry = { window: decision.window, splits: (retry?.splits ?? 0) + 1 };
      continue;
    }
    // What the window holds but the call did not cover is never read.
    const inWindow = (list: readonly WallSeconds[], a: WallSeconds, b: WallSeconds): number =>
      b < a ? 0 : lowerBound(list, b + 1) - lowerBound(list, a);
    const readFrom = Math.max(window.from, covered.from);
    const readTo = Math.min(window.to, covered.to);
    missed += inWindow(walls.all, window.from, window.to) - inWindow(walls.all, readFrom, readTo);
    // The poll cycle sizes the next window by the valid records it mapped.
    const valid = inWindow(walls.valid, window.from, window.to);
    pass.records += valid;
    pass.seconds += window.to - window.from + 1;
    density =
      (options.rule ?? 'whole-pass') === 'last-window'
        ? densityOf(window, valid)
        : pass.records / pass.seconds;
    position = window.to + 1;
    retry = undefined;
    if (known && window.to >= known.window.to) known = undefined;
  }
}

/** The records of a response in the order the API sends them (its cut keeps the first ones). */
function responseOrder(
  sorted: WallSeconds[],
  order: RecordOrder = 'oldest',
  random: () => number,
): WallSeconds[] {
  if (order === 'newest') return sorted.reverse();
  if (order === 'shuffled') {
    for (let i = sorted.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
    }
  }
  return sorted;
}
