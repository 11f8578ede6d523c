import { parseWallTime } from '@app/contracts';
import { DailyRequestBudget } from './request-budget.js';

/** A clock the test moves; Bogota is UTC-5, so its midnight is 05:00Z. */
function clockAt(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

describe('DailyRequestBudget', () => {
  it('hands out exactly the limit per local day', () => {
    const clock = clockAt('2026-03-01T15:00:00Z');
    const budget = new DailyRequestBudget({ limit: 3, timeZone: 'America/Bogota', clock });
    const granted = Array.from({ length: 5 }, () => budget.tryAcquire());
    expect(granted).toEqual([true, true, true, false, false]);
    expect(budget.used).toBe(3);
    expect(budget.remaining).toBe(0);
    expect(budget.day).toBe('2026-03-01');
  });

  it('renews at local midnight, not at UTC midnight', () => {
    const clock = clockAt('2026-03-01T23:59:00Z'); // 18:59 in Bogota
    const budget = new DailyRequestBudget({ limit: 1, timeZone: 'America/Bogota', clock });
    expect(budget.tryAcquire()).toBe(true);
    clock.set('2026-03-02T04:59:59Z'); // 23:59:59 in Bogota, still March 1st
    expect(budget.tryAcquire()).toBe(false);
    expect(budget.resetsAt).toBe(parseWallTime('2026-03-02 00:00:00'));
    clock.set('2026-03-02T05:00:00Z');
    expect(budget.day).toBe('2026-03-02');
    expect(budget.used).toBe(0);
    expect(budget.tryAcquire()).toBe(true);
  });

  it('is seeded from a checkpoint of the same day only, and never lowered', () => {
    const clock = clockAt('2026-03-01T15:00:00Z');
    const budget = new DailyRequestBudget({ limit: 10, timeZone: 'America/Bogota', clock });
    budget.restore('2026-02-28', 9);
    expect(budget.used).toBe(0);
    budget.restore('2026-03-01', 8);
    expect(budget.remaining).toBe(2);
    budget.restore('2026-03-01', 2);
    expect(budget.used).toBe(8);
    expect(() => budget.restore('2026-03-01', -1)).toThrow(RangeError);
  });

  it('refuses everything after the API says the budget is spent, until the next day', () => {
    const clock = clockAt('2026-03-01T15:00:00Z');
    const budget = new DailyRequestBudget({ timeZone: 'America/Bogota', clock });
    expect(budget.limit).toBeUndefined();
    expect(budget.remaining).toBeUndefined();
    expect(budget.tryAcquire()).toBe(true);
    budget.markExhausted();
    expect(budget.tryAcquire()).toBe(false);
    clock.set('2026-03-02T05:00:00Z');
    expect(budget.tryAcquire()).toBe(true);
  });

  it('rejects a limit that is not a whole number', () => {
    expect(() => new DailyRequestBudget({ limit: 1.5, timeZone: 'UTC' })).toThrow(RangeError);
  });
});
