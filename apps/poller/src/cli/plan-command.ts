import { SECONDS_PER_DAY, wallTimeOf } from '@app/contracts';
import { backfillCost, projectDay, runsOutAt } from '../budget/budget-projection.js';
import { budgetSettingsOf } from '../budget/budget-warning.js';
import type { StoredCheckpoint } from '../kafka/checkpoint-codec.js';
import { planBackfill } from './backfill.js';
import { budgetView, formatBudget } from './checkpoint-view.js';
import type { CliContext } from './cli-context.js';
import { densityOf, formatPlan, projectionRows, type DensitySource } from './plan-view.js';

/** The density the live poll's last sweep recorded, if any, in records per second. */
function checkpointDensity(stored: StoredCheckpoint | null): number | undefined {
  return stored?.sweep?.density;
}

/**
 * `budget`: the day's budget as the checkpoint recorded it, and the projection of a whole day
 * at the configured interval: what live polling and reconciliation take, whether it fits, and
 * when today's budget runs out if it does not.
 */
export function budgetOutput(
  ctx: CliContext,
  stored: StoredCheckpoint | null,
  options: { json?: boolean },
): string {
  const nowWall = wallTimeOf(new Date(), ctx.config.wolkvox.timeZone);
  const view = budgetView(stored, ctx.config.wolkvox.dailyQuota, nowWall);
  const settings = budgetSettingsOf(ctx.config);
  const density = checkpointDensity(stored);
  const day = projectDay(settings, density);
  const runsOut = runsOutAt(settings, nowWall, view.used, density);
  if (options.json) return JSON.stringify({ ...view, projection: day });
  return formatBudget(view, projectionRows(day, settings.intervalSeconds, runsOut));
}

/**
 * `plan --from --to`: what `backfill` over the same range would cost, before a single call: the
 * calls (by the checkpoint's density, or --records-per-day, or the 31-day limit alone), the
 * local days the operation's budget spreads them over beside its live poll, and the time.
 */
export function planOutput(
  ctx: CliContext,
  stored: StoredCheckpoint | null,
  options: { from: Date; to: Date; recordsPerDay?: number; json?: boolean },
): { code: number; out?: string; err?: string } {
  const { config } = ctx;
  const zone = config.wolkvox.timeZone;
  const plan = planBackfill(wallTimeOf(options.from, zone), wallTimeOf(options.to, zone), stored);
  if (plan.kind === 'refused')
    return { code: 1, err: `a backfill would be refused: ${plan.reason}` };
  if (plan.kind === 'nothing') return { code: 0, err: `nothing to backfill: ${plan.reason}` };
  const fromCheckpoint = checkpointDensity(stored);
  const density: DensitySource =
    options.recordsPerDay !== undefined
      ? { kind: 'given', recordsPerSecond: options.recordsPerDay / SECONDS_PER_DAY }
      : fromCheckpoint !== undefined
        ? { kind: 'checkpoint', recordsPerSecond: fromCheckpoint }
        : { kind: 'none' };
  const nowWall = wallTimeOf(new Date(), zone);
  const used = budgetView(stored, config.wolkvox.dailyQuota, nowWall).used;
  const cost = backfillCost(budgetSettingsOf(config), plan, densityOf(density), {
    nowWall,
    used,
  });
  const view = {
    range: { from: plan.from, last: plan.last },
    timeZone: zone,
    clampedAt: plan.clampedAt,
    density,
    cost,
    quota: config.wolkvox.dailyQuota,
    secondsPerCall: config.wolkvox.callTimeoutMs / 1000,
  };
  return { code: 0, out: options.json ? JSON.stringify(view) : formatPlan(view) };
}
