import { formatWallTime, startOfNextLocalDay, type WallSeconds } from '@app/contracts';
import type { PollerConfig } from '../config/poller-config.js';
import { limitsFor } from '../cycle/window-planner.js';
import { requestsInFlightAtMost } from '../cycle/call-rules.js';
import { projectDay, runsOutAt, type BudgetSettings } from './budget-projection.js';

/** The projection's inputs, from the poller's configuration. */
export function budgetSettingsOf(config: PollerConfig): BudgetSettings {
  return {
    intervalSeconds: config.poll.intervalSeconds,
    lookbackSeconds: config.poll.lookbackSeconds,
    reconcileDays: config.poll.reconcile.days,
    quota: config.wolkvox.dailyQuota,
    cycleCalls: requestsInFlightAtMost(config.wolkvox),
    limits: limitsFor(config.wolkvox.maxRecords),
  };
}

/** `HH:MM` of a wall time. */
export function clockOf(wall: WallSeconds): string {
  return formatWallTime(wall).slice(11, 16);
}

/**
 * The one warning at start when a day of polling and reconciliation needs more calls than
 * WOLKVOX_DAILY_QUOTA: when the budget runs out on the operation's clock, polling from now
 * (nothing known spent yet today) and on a whole day, and which interval would fit.
 * Undefined when it fits, or when no quota is set.
 */
export function budgetWarning(config: PollerConfig, nowWall: WallSeconds): string | undefined {
  const settings = budgetSettingsOf(config);
  const day = projectDay(settings);
  if (day.spare === undefined || day.spare >= 0) return undefined;
  const zone = config.wolkvox.timeZone;
  const today = runsOutAt(settings, nowWall, 0);
  const midnight = startOfNextLocalDay(nowWall);
  const wholeDay = runsOutAt(settings, midnight, 0);
  const when = [
    today === undefined
      ? 'polling from now, it lasts until midnight'
      : `polling from now, it runs out at about ${clockOf(today)} (${zone})`,
    wholeDay === undefined ? '' : `, and on a whole day at ${clockOf(wholeDay)}`,
  ].join('');
  const fix =
    day.fittingInterval === undefined
      ? 'no poll interval fits: raise WOLKVOX_DAILY_QUOTA or lower POLL_RECONCILE_DAYS'
      : `POLL_INTERVAL_SECONDS=${day.fittingInterval} or more fits`;
  return (
    `WOLKVOX_DAILY_QUOTA=${day.quota} is less than a day needs: the live poll about ${day.live} calls ` +
    `(every ${settings.intervalSeconds} s) and the reconciliation pass ${day.reconcile}; ${when}; ` +
    `after that nothing is read until the next local day, and the pass is skipped; ${fix}`
  );
}
