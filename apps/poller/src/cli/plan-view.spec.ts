import { parseWallTime } from '@app/contracts';
import { formatPlan, projectionRows, type PlanView } from './plan-view.js';

const wall = (text: string) => parseWallTime(text)!;

const view: PlanView = {
  range: { from: wall('2025-01-01 00:00:00'), last: wall('2025-12-31 23:59:59') },
  timeZone: 'America/Bogota',
  density: { kind: 'checkpoint', recordsPerSecond: 5 },
  cost: { calls: 3504, spareToday: 1752, sparePerDay: 1679, days: 3 },
  quota: 2000,
  secondsPerCall: 60,
};

describe('plan output', () => {
  it('says the calls, the days beside the live poll and the time at worst', () => {
    expect(formatPlan(view).split('\n')).toEqual([
      'range    2025-01-01 00:00:00 .. 2025-12-31 23:59:59 (America/Bogota)',
      "density  432,000 records a day, the density of the live poll's last pass (checkpoint); --records-per-day to assume another",
      "calls    about 3504 (windows of the poller's size; cut windows add a few)",
      'budget   3 local days, today counted: 1752 spare today, 1679 a day after',
      'time     at most 58 h 24 min of calls (60 s each at worst, the call timeout), spread over 3 days',
    ]);
  });

  it('states its assumption when no density is known, and when the budget never allows it', () => {
    const text = formatPlan({
      ...view,
      density: { kind: 'none' },
      cost: { calls: 12, spareToday: 0, sparePerDay: -15_285, days: undefined },
    });
    expect(text).toContain('counted by the 31-day limit alone, a floor');
    expect(text).toContain('never beside the live poll');
  });

  it("shows the day's projection, and when today's budget runs out if it does not fit", () => {
    const short = { live: 17_284, reconcile: 1, total: 17_285, quota: 2000, spare: -15_285 };
    expect(
      projectionRows({ ...short, fittingInterval: 44 }, 5, wall('2026-03-02 19:20:00')),
    ).toEqual([
      ['a day needs', 'about 17285 calls: 17284 live polling (every 5 s), 1 reconciliation'],
      ['fits', 'no: 15285 calls a day short; POLL_INTERVAL_SECONDS=44 or more fits'],
      ['runs out', 'at about 19:20 local today'],
    ]);
  });
});
