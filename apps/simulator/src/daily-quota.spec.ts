import { DailyQuota } from './daily-quota.js';
import { ZoneClock } from './zone-clock.js';

describe('DailyQuota', () => {
  it('counts every call, refuses past the limit and renews at local midnight', () => {
    let now = new Date('2026-03-02T04:59:00Z'); // 23:59 in Bogota
    const quota = new DailyQuota(new ZoneClock('America/Bogota', () => now), 2);
    expect([quota.spend(), quota.spend(), quota.spend()]).toEqual([true, true, false]);
    expect(quota.used).toBe(3);
    now = new Date('2026-03-02T05:00:00Z');
    expect(quota.day).toBe('2026-03-02');
    expect(quota.spend()).toBe(true);
    quota.limit = undefined;
    expect(quota.spend()).toBe(true);
  });
});
