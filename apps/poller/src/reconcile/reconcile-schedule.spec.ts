import { parseWallTime, type WallSeconds } from '@app/contracts';
import {
  budgetAllows,
  estimatedCalls,
  liveNeed,
  passDue,
  reconcileRange,
  slotOf,
} from './reconcile-schedule.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const AT_3 = 3 * 60;
const schedule = { days: 3, atMinute: AT_3 };

describe('slotOf', () => {
  it("is today's HH:MM once it has come, yesterday's before", () => {
    expect(slotOf(t('2026-03-10 03:00:00'), AT_3)).toBe(t('2026-03-10 03:00:00'));
    expect(slotOf(t('2026-03-10 14:30:00'), AT_3)).toBe(t('2026-03-10 03:00:00'));
    expect(slotOf(t('2026-03-10 02:59:59'), AT_3)).toBe(t('2026-03-09 03:00:00'));
  });
});

describe('passDue', () => {
  const armed = t('2026-03-09 03:00:00');

  it('waits for the next slot after a first start, then is due once', () => {
    expect(passDue(t('2026-03-10 02:59:00'), schedule, undefined, armed)).toBeUndefined();
    expect(passDue(t('2026-03-10 03:00:00'), schedule, undefined, armed)).toBe(
      t('2026-03-10 03:00:00'),
    );
    const done = {
      slot: t('2026-03-10 03:00:00'),
      finished: { outcome: 'completed' as const, at: '' },
    };
    expect(passDue(t('2026-03-10 09:00:00'), schedule, done, armed)).toBeUndefined();
    expect(passDue(t('2026-03-11 03:00:00'), schedule, done, armed)).toBe(t('2026-03-11 03:00:00'));
  });

  it('a restart after HH:MM neither repeats a finished pass nor skips one not run', () => {
    // Restarted at 04:00: the process arms at today's slot, but the record says yesterday's ran.
    const now = t('2026-03-10 04:00:00');
    const rearmed = slotOf(now, AT_3);
    const yesterday = {
      slot: t('2026-03-09 03:00:00'),
      finished: { outcome: 'completed' as const, at: '' },
    };
    const today = {
      slot: t('2026-03-10 03:00:00'),
      finished: { outcome: 'skipped-budget' as const, at: '' },
    };
    expect(passDue(now, schedule, today, rearmed)).toBeUndefined();
    // Down at 03:00: the record says only yesterday's ran, so today's runs now.
    expect(passDue(now, schedule, yesterday, rearmed)).toBe(t('2026-03-10 03:00:00'));
  });

  it('runs a pass cut short again at once, under the later slot', () => {
    const cut = { slot: t('2026-03-10 03:00:00') };
    expect(passDue(t('2026-03-10 03:20:00'), schedule, cut, t('2026-03-10 03:00:00'))).toBe(
      t('2026-03-10 03:00:00'),
    );
    expect(passDue(t('2026-03-11 05:00:00'), schedule, cut, t('2026-03-11 03:00:00'))).toBe(
      t('2026-03-11 03:00:00'),
    );
  });

  it('never when POLL_RECONCILE_DAYS is 0', () => {
    expect(
      passDue(t('2026-03-10 03:00:00'), { days: 0, atMinute: AT_3 }, { slot: 0 }, 0),
    ).toBeUndefined();
  });
});

describe('reconcileRange', () => {
  it('the last days, up to the second before what the live poll still reads', () => {
    const now = t('2026-03-10 03:00:00');
    expect(reconcileRange(now, 3, t('2026-03-10 01:59:00'))).toEqual({
      kind: 'range',
      from: t('2026-03-07 03:00:00'),
      last: t('2026-03-10 01:58:59'),
    });
  });

  it('nothing when the live poll has settled none of them', () => {
    const now = t('2026-03-10 03:00:00');
    expect(reconcileRange(now, 3, t('2026-03-07 03:00:00')).kind).toBe('nothing');
  });
});

describe('the budget', () => {
  const live = { intervalSeconds: 300, cycleCalls: 3 };
  const now = t('2026-03-10 03:00:00');
  const resetsAt = t('2026-03-11 00:00:00');

  it('the live poll needs a call per interval until the reset, and a cycle at its worst', () => {
    // 21 h left: 252 intervals of 5 minutes, plus 3.
    expect(liveNeed(now, { remaining: 1000, resetsAt }, live)).toBe(255);
  });

  it('a pass runs only on what the live poll leaves, and always without a local quota', () => {
    expect(budgetAllows(now, { remaining: 260, resetsAt }, live, 5)).toEqual({ kind: 'run' });
    const skip = budgetAllows(now, { remaining: 259, resetsAt }, live, 5);
    expect(skip).toEqual({
      kind: 'skip',
      reason: expect.stringContaining('259 requests are left'),
    });
    expect(budgetAllows(now, { remaining: undefined, resetsAt }, live, 5)).toEqual({ kind: 'run' });
  });

  it('estimates a pass by the 31-day limit and by the records the live density predicts', () => {
    const range = { from: t('2026-03-07 03:00:00'), last: t('2026-03-10 02:59:59') };
    expect(estimatedCalls(range, undefined)).toBe(1);
    // 60,000 emails a day: 180,000 records in windows of 45,000.
    expect(estimatedCalls(range, 60_000 / 86_400)).toBe(4);
  });
});
