import { formatWallTime, type WallSeconds } from '@app/contracts';
import type { BackfillCost, DayProjection } from '../budget/budget-projection.js';
import { clockOf } from '../budget/budget-warning.js';
import { table } from './checkpoint-view.js';

/** Where the density a projection uses came from: what the checkpoint knows, or an assumption. */
export type DensitySource =
  | { kind: 'checkpoint'; recordsPerSecond: number }
  | { kind: 'given'; recordsPerSecond: number }
  | { kind: 'none' };

export function densityOf(source: DensitySource): number | undefined {
  return source.kind === 'none' ? undefined : source.recordsPerSecond;
}

function densityLine(source: DensitySource): string {
  const perDay = (r: number) => Math.round(r * 86_400).toLocaleString('en-US');
  switch (source.kind) {
    case 'checkpoint':
      return `${perDay(source.recordsPerSecond)} records a day, the density of the live poll's last pass (checkpoint); --records-per-day to assume another`;
    case 'given':
      return `${perDay(source.recordsPerSecond)} records a day (--records-per-day)`;
    case 'none':
      return 'unknown (no density in the checkpoint): counted by the 31-day limit alone, a floor; --records-per-day to assume one';
  }
}

/** The day's projection, for `budget`: what live polling and reconciliation take. */
export function projectionRows(
  day: DayProjection,
  intervalSeconds: number,
  runsOut: WallSeconds | undefined,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    [
      'a day needs',
      `about ${day.total} calls: ${day.live} live polling (every ${intervalSeconds} s), ${day.reconcile} reconciliation`,
    ],
  ];
  if (day.spare === undefined) return rows;
  if (day.spare >= 0) {
    rows.push(['fits', `yes, ${day.spare} calls a day to spare (backfills, catch-up)`]);
    return rows;
  }
  rows.push([
    'fits',
    `no: ${-day.spare} calls a day short` +
      (day.fittingInterval === undefined
        ? '; no poll interval fits'
        : `; POLL_INTERVAL_SECONDS=${day.fittingInterval} or more fits`),
  ]);
  rows.push([
    'runs out',
    runsOut === undefined
      ? 'not before midnight today'
      : `at about ${clockOf(runsOut)} local today`,
  ]);
  return rows;
}

export interface PlanView {
  range: { from: WallSeconds; last: WallSeconds };
  timeZone: string;
  clampedAt?: WallSeconds;
  density: DensitySource;
  cost: BackfillCost;
  quota: number | undefined;
  /** Upper bound of one call's duration: the call timeout. */
  secondsPerCall: number;
}

export function formatPlan(view: PlanView): string {
  const { cost } = view;
  const days =
    view.quota === undefined
      ? 'no WOLKVOX_DAILY_QUOTA: only the API limit applies (licenses x 1000 a day, shared with the live poll)'
      : cost.days === undefined
        ? 'never beside the live poll: live polling and reconciliation take the whole budget'
        : cost.days === 1
          ? `today: ${cost.spareToday} calls are spare today beside the live poll`
          : `${cost.days} local days, today counted: ${cost.spareToday} spare today, ${cost.sparePerDay} a day after`;
  const rows: Array<[string, string]> = [
    [
      'range',
      `${formatWallTime(view.range.from)} .. ${formatWallTime(view.range.last)} (${view.timeZone})` +
        (view.clampedAt
          ? `; from ${formatWallTime(view.clampedAt)} on the poller reads it itself`
          : ''),
    ],
    ['density', densityLine(view.density)],
    ['calls', `about ${cost.calls} (windows of the poller's size; cut windows add a few)`],
    ['budget', days],
    [
      'time',
      `at most ${duration(cost.calls * view.secondsPerCall)} of calls (${view.secondsPerCall} s each at worst, the call timeout)` +
        (cost.days !== undefined && cost.days > 1 ? `, spread over ${cost.days} days` : ''),
    ],
  ];
  return table(rows);
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.ceil((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min`;
}
