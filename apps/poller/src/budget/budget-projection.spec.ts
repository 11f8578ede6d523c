import { formatWallTime, parseWallTime } from '@app/contracts';
import { WOLKVOX_LIMITS } from '../cycle/window-planner.js';
import { backfillCost, projectDay, runsOutAt, type BudgetSettings } from './budget-projection.js';

const wall = (text: string) => parseWallTime(text)!;
const DAY = 86_400;

/** The defaults, one call at once (4 attempts at worst: the reconciler's margin). */
const defaults: BudgetSettings = {
  intervalSeconds: 300,
  lookbackSeconds: 3600,
  reconcileDays: 3,
  quota: 2000,
  cycleCalls: 4,
  limits: WOLKVOX_LIMITS,
};

describe('projectDay', () => {
  it('counts a call per interval and the margin of one cycle, and a pass a day', () => {
    expect(projectDay(defaults)).toEqual({
      live: 288 + 4,
      reconcile: 1,
      total: 293,
      quota: 2000,
      spare: 1707,
      fittingInterval: undefined,
    });
  });

  it('names the shortest interval that fits when the day does not', () => {
    const fast = { ...defaults, intervalSeconds: 5 };
    const day = projectDay(fast);
    expect(day).toMatchObject({ live: 17_280 + 4, reconcile: 1, spare: 2000 - 17_285 });
    // 86,400 / 44 = 1,964 calls + 4 + 1 = 1,969 fit in 2,000; at 43 s, 2,010 + 5 do not.
    expect(day.fittingInterval).toBe(44);
    expect(projectDay({ ...fast, intervalSeconds: 44 }).spare).toBe(31);
    expect(projectDay({ ...fast, intervalSeconds: 43 }).spare).toBeLessThan(0);
  });

  it('sizes cycles and the pass by the density when it is known', () => {
    // 20 records a second: a look-back of 3,900 s holds 78,000 records, two windows of 45,000.
    const dense = projectDay(defaults, 20);
    expect(dense.live).toBe(288 * 2 + 4);
    // Three days of 20 a second: 5,184,000 records in windows of 45,000.
    expect(dense.reconcile).toBe(Math.ceil((3 * DAY * 20) / 45_000));
  });

  it('says nothing fits when the pass and the margin alone take the quota', () => {
    expect(projectDay({ ...defaults, quota: 5 }).fittingInterval).toBeUndefined();
  });

  it('has no spare without a quota', () => {
    expect(projectDay({ ...defaults, quota: undefined }).spare).toBeUndefined();
  });
});

describe('runsOutAt', () => {
  const fast = { ...defaults, intervalSeconds: 5 };

  it('is when live polling from now has spent the quota: 2,000 calls of 5 s after 16:33:20', () => {
    const at = runsOutAt(fast, wall('2026-03-02 16:33:20'), 0);
    expect(formatWallTime(at!)).toBe('2026-03-02 19:20:00');
  });

  it('counts what today spent already, and is undefined when the budget lasts to midnight', () => {
    expect(formatWallTime(runsOutAt(fast, wall('2026-03-02 16:33:20'), 1000)!)).toBe(
      '2026-03-02 17:56:40',
    );
    expect(runsOutAt(defaults, wall('2026-03-02 00:00:00'), 0)).toBeUndefined();
    expect(
      runsOutAt({ ...fast, quota: undefined }, wall('2026-03-02 16:33:20'), 0),
    ).toBeUndefined();
  });
});

describe('backfillCost', () => {
  const year = { from: wall('2025-01-01 00:00:00'), last: wall('2025-12-31 23:59:59') };

  it('counts calls by the density and spreads them over the days the budget leaves', () => {
    // 5 records a second for a year: 157,680,000 records in windows of 45,000.
    const cost = backfillCost(defaults, year, 5, {
      nowWall: wall('2026-03-02 12:00:00'),
      used: 100,
    });
    // Today: 1,900 left, the live poll keeps 144 cycles until midnight and 4 of margin.
    // A whole day: 2,000 less 292 live and a pass of 3 days at 5 a second (29 calls).
    expect(cost).toEqual({ calls: 3504, spareToday: 1752, sparePerDay: 1679, days: 3 });
  });

  it('fits in today when the spare allows, and by the 31-day limit alone without a density', () => {
    const cost = backfillCost(defaults, year, undefined, {
      nowWall: wall('2026-03-02 12:00:00'),
      used: 0,
    });
    expect(cost).toMatchObject({ calls: 12, days: 1 });
  });

  it('never fits when the live poll alone takes the whole budget', () => {
    const fast = { ...defaults, intervalSeconds: 5 };
    const cost = backfillCost(fast, year, 5, { nowWall: wall('2026-03-02 12:00:00'), used: 0 });
    expect(cost.spareToday).toBe(0);
    expect(cost.days).toBeUndefined();
  });
});
