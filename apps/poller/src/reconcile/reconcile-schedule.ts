import { SECONDS_PER_DAY, type WallSeconds } from '@app/contracts';
import { WOLKVOX_LIMITS, type WindowLimits } from '../cycle/window-planner.js';

/**
 * When the daily reconciliation pass runs, what it reads and whether the day's budget can
 * afford it. Pure: the reconciler feeds it the operation's wall clock and what Kafka holds.
 */

export interface ReconcileSchedule {
  /** Days re-read; 0 turns the pass off. */
  days: number;
  /** Local minute of the day (POLL_RECONCILE_AT). */
  atMinute: number;
}

/** The latest scheduled moment at or before `nowWall`: today's HH:MM, or yesterday's. */
export function slotOf(nowWall: WallSeconds, atMinute: number): WallSeconds {
  const today = nowWall - (nowWall % SECONDS_PER_DAY) + atMinute * 60;
  return today <= nowWall ? today : today - SECONDS_PER_DAY;
}

/** What the operation remembers of its last pass (`<server>/reconcile` on the progress topic). */
export interface LastPass {
  /** The scheduled moment the pass belongs to. */
  slot: WallSeconds;
  /** Absent while the pass runs (or was cut short by a crash). */
  finished?: { outcome: PassOutcome; at: string };
}

export type PassOutcome = 'completed' | 'skipped-budget' | 'stopped-budget' | 'failed';

/**
 * Whether a pass is due now. A pass started and never finished (a crash, a deploy, a lost
 * lease) is run again at once: keys make a second run publish only what the first did not. A
 * finished pass waits for the next slot, so a restart after HH:MM neither repeats nor skips it.
 * With no record at all (a first deployment) the first slot is the next one: `armedAt` is the
 * slot current when the process started, which counts as done. With a record, the record alone
 * decides: a poller that was down at HH:MM runs that slot's pass when it is back.
 */
export function passDue(
  nowWall: WallSeconds,
  schedule: ReconcileSchedule,
  last: LastPass | undefined,
  armedAt: WallSeconds,
): WallSeconds | undefined {
  if (schedule.days === 0) return undefined;
  const slot = slotOf(nowWall, schedule.atMinute);
  if (last && !last.finished) return Math.max(slot, last.slot);
  const done = last ? last.slot : armedAt;
  return slot > done ? slot : undefined;
}

export type ReconcileRange =
  { kind: 'range'; from: WallSeconds; last: WallSeconds } | { kind: 'nothing'; reason: string };

/**
 * The last `days` days before `nowWall`, up to the second before the live checkpoint's
 * `settledBefore`: from there on the live poll reads (and re-reads) the dates itself, so the
 * two never read the same records.
 */
export function reconcileRange(
  nowWall: WallSeconds,
  days: number,
  settledBefore: WallSeconds,
): ReconcileRange {
  const from = nowWall - days * SECONDS_PER_DAY;
  const last = Math.min(nowWall, settledBefore - 1);
  if (last < from)
    return { kind: 'nothing', reason: 'the live poll has not yet settled any of those days' };
  return { kind: 'range', from, last };
}

export interface BudgetView {
  /** Requests left today; undefined when no local quota is set (WOLKVOX_DAILY_QUOTA). */
  remaining: number | undefined;
  /** When the local day (and the budget) starts anew. */
  resetsAt: WallSeconds;
}

export interface LiveNeeds {
  intervalSeconds: number;
  /** Requests one cycle may spend at worst (every attempt of every call at once). */
  cycleCalls: number;
  /** Calls a steady cycle makes (1 unless its look-back holds more than one window). */
  callsPerCycle?: number;
}

/**
 * What the live poll still needs today: one call per interval until the day's budget resets,
 * plus one cycle at its worst (retries of every call at once) as margin. A steady poll spends a
 * call per interval; catch-up or a split costs more, but those draw on what the pass left.
 */
export function liveNeed(nowWall: WallSeconds, budget: BudgetView, live: LiveNeeds): number {
  const left = Math.max(0, budget.resetsAt - nowWall);
  return Math.ceil(left / live.intervalSeconds) * (live.callsPerCycle ?? 1) + live.cycleCalls;
}

/**
 * The calls a pass over the range should take: the 31-day limit, and the records the live
 * poll's density predicts in windows of the planner's target size. Cuts may add a few.
 */
export function estimatedCalls(
  range: { from: WallSeconds; last: WallSeconds },
  density: number | undefined,
  limits: WindowLimits = WOLKVOX_LIMITS,
): number {
  const span = range.last - range.from + 1;
  const byDays = Math.ceil(span / limits.maxSpanSeconds);
  const byRecords = Math.ceil((span * (density ?? 0)) / limits.targetRecords);
  return Math.max(1, byDays, byRecords);
}

export type BudgetDecision = { kind: 'run' } | { kind: 'skip'; reason: string };

/** Whether the pass (or its next cycle) may spend `calls` without starving the live poll. */
export function budgetAllows(
  nowWall: WallSeconds,
  budget: BudgetView,
  live: LiveNeeds,
  calls: number,
): BudgetDecision {
  if (budget.remaining === undefined) return { kind: 'run' };
  const need = liveNeed(nowWall, budget, live);
  const spare = budget.remaining - need;
  if (spare >= calls) return { kind: 'run' };
  return {
    kind: 'skip',
    reason: `${budget.remaining} requests are left today, the live poll needs about ${need} until the budget resets, and the pass needs ${calls}`,
  };
}
