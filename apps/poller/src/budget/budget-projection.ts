import { SECONDS_PER_DAY, startOfNextLocalDay, type WallSeconds } from '@app/contracts';
import type { WindowLimits } from '../cycle/window-planner.js';
import { estimatedCalls, liveNeed, type LiveNeeds } from '../reconcile/reconcile-schedule.js';

/**
 * The request budget, told before it is spent: how many calls a local day of live polling and
 * reconciliation takes, when WOLKVOX_DAILY_QUOTA runs out, which interval would fit, and what a
 * backfill costs beside them. Pure, on the operation's wall clock; the formulas are the
 * reconciler's (`liveNeed`, `estimatedCalls`), so the projection and the decisions the poller
 * takes at run time cannot disagree.
 */

export interface BudgetSettings {
  intervalSeconds: number;
  lookbackSeconds: number;
  /** Days the daily reconciliation pass re-reads (0: off). */
  reconcileDays: number;
  /** WOLKVOX_DAILY_QUOTA; undefined when unset. */
  quota: number | undefined;
  /** Requests one cycle may spend at worst: the margin the reconciler keeps for the live poll. */
  cycleCalls: number;
  limits: WindowLimits;
}

export interface DayProjection {
  /** Calls the live poll takes in a local day, the reconciler's margin included. */
  live: number;
  /** Calls the daily reconciliation pass takes (0 when off). */
  reconcile: number;
  total: number;
  quota: number | undefined;
  /** What the quota leaves over a day (negative: it does not fit); undefined without a quota. */
  spare: number | undefined;
  /** When it does not fit: the shortest POLL_INTERVAL_SECONDS that does (undefined: none does). */
  fittingInterval: number | undefined;
}

/** Calls one steady cycle makes: its look-back and interval, in windows of the planner's size. */
function callsPerCycle(s: BudgetSettings, intervalSeconds: number, density: number | undefined) {
  const span = s.lookbackSeconds + intervalSeconds;
  return estimatedCalls({ from: 0, last: span - 1 }, density, s.limits);
}

function liveNeeds(s: BudgetSettings, intervalSeconds: number, density: number | undefined) {
  return {
    intervalSeconds,
    cycleCalls: s.cycleCalls,
    callsPerCycle: callsPerCycle(s, intervalSeconds, density),
  } satisfies LiveNeeds;
}

/** The live poll's calls over a whole local day at `intervalSeconds`. */
function livePerDay(s: BudgetSettings, intervalSeconds: number, density: number | undefined) {
  const wholeDay = { remaining: undefined, resetsAt: SECONDS_PER_DAY };
  return liveNeed(0, wholeDay, liveNeeds(s, intervalSeconds, density));
}

/** The calls of one reconciliation pass, sized by the density of what it re-reads. */
export function reconcileCalls(s: BudgetSettings, density: number | undefined): number {
  if (s.reconcileDays === 0) return 0;
  const span = s.reconcileDays * SECONDS_PER_DAY;
  return estimatedCalls({ from: 0, last: span - 1 }, density, s.limits);
}

/** A local day's calls. `density`: records per second, when known (the checkpoint's). */
export function projectDay(s: BudgetSettings, density?: number): DayProjection {
  const live = livePerDay(s, s.intervalSeconds, density);
  const reconcile = reconcileCalls(s, density);
  const total = live + reconcile;
  const spare = s.quota === undefined ? undefined : s.quota - total;
  let fittingInterval: number | undefined;
  if (spare !== undefined && spare < 0) {
    // The least interval whose day fits: from the steady rate, then up while rounding says no.
    const room = s.quota! - reconcile - s.cycleCalls;
    if (room > 0) {
      let interval = Math.max(s.intervalSeconds + 1, Math.ceil(SECONDS_PER_DAY / room));
      while (interval <= SECONDS_PER_DAY && livePerDay(s, interval, density) + reconcile > s.quota!)
        interval++;
      fittingInterval = interval <= SECONDS_PER_DAY ? interval : undefined;
    }
  }
  return { live, reconcile, total, quota: s.quota, spare, fittingInterval };
}

/**
 * When today's budget runs out with live polling from `nowWall`, `used` calls being spent
 * already: the cycle that finds nothing left. Undefined when it lasts to the local midnight
 * (or there is no quota). The reconciliation pass is left out: with too little budget the
 * reconciler skips it, which is the first sign of a budget too small.
 */
export function runsOutAt(
  s: BudgetSettings,
  nowWall: WallSeconds,
  used: number,
  density?: number,
): WallSeconds | undefined {
  if (s.quota === undefined) return undefined;
  const cycles = Math.floor(
    Math.max(0, s.quota - used) / callsPerCycle(s, s.intervalSeconds, density),
  );
  const at = nowWall + cycles * s.intervalSeconds;
  return at < startOfNextLocalDay(nowWall) ? at : undefined;
}

export interface BackfillCost {
  calls: number;
  /** What today's budget leaves once the live poll's need until midnight is kept. */
  spareToday: number | undefined;
  /** What a whole day's budget leaves beside live polling and reconciliation. */
  sparePerDay: number | undefined;
  /** Local days the backfill takes at that pace, today counted (undefined: it never fits). */
  days: number | undefined;
}

/**
 * What a backfill of `range` costs, and how many local days the operation's budget spreads it
 * over beside its live poll. `density` is records per second over the range, known or assumed.
 */
export function backfillCost(
  s: BudgetSettings,
  range: { from: WallSeconds; last: WallSeconds },
  density: number | undefined,
  today: { nowWall: WallSeconds; used: number },
): BackfillCost {
  const calls = estimatedCalls(range, density, s.limits);
  if (s.quota === undefined)
    return { calls, spareToday: undefined, sparePerDay: undefined, days: 1 };
  const budget = { remaining: s.quota - today.used, resetsAt: startOfNextLocalDay(today.nowWall) };
  const need = liveNeed(today.nowWall, budget, liveNeeds(s, s.intervalSeconds, density));
  const spareToday = Math.max(0, budget.remaining - need);
  const sparePerDay = projectDay(s, density).spare!;
  if (calls <= spareToday) return { calls, spareToday, sparePerDay, days: 1 };
  const days = sparePerDay > 0 ? 1 + Math.ceil((calls - spareToday) / sparePerDay) : undefined;
  return { calls, spareToday, sparePerDay, days };
}
