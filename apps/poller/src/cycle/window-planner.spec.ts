import { parseWallTime } from '@app/contracts';
import {
  arrivalOrder,
  capByKnownRecords,
  densityOf,
  planWindow,
  splitTimedOut,
  splitTruncated,
  WOLKVOX_LIMITS,
} from './window-planner.js';

const t = (s: string): number => parseWallTime(s)!;
const DAY = 86_400;

describe('planWindow', () => {
  it('spans two seconds less than 31 days, so that its call spans 31 days at most', () => {
    const w = planWindow(t('2026-01-01 00:00:00'), t('2026-12-31 00:00:00'), undefined)!;
    expect(w.to - w.from + 1).toBe(31 * DAY - 2);
    expect(w.to).toBe(t('2026-01-31 23:59:57'));
  });

  it('stops at the end of the sweep', () => {
    expect(planWindow(t('2026-01-01 00:00:00'), t('2026-01-01 10:00:00'), undefined)).toEqual({
      from: t('2026-01-01 00:00:00'),
      to: t('2026-01-01 10:00:00'),
    });
  });

  it('has nothing to read when the sweep is past its end', () => {
    expect(planWindow(t('2026-01-01 10:00:01'), t('2026-01-01 10:00:00'), undefined)).toBeNull();
  });

  it('shrinks to the target number of records at the density seen', () => {
    const w = planWindow(0, 10 * DAY, 1)!; // one record per second
    expect(w.to - w.from + 1).toBe(WOLKVOX_LIMITS.targetRecords);
    expect(planWindow(0, 10 * DAY, 1e9)).toEqual({ from: 0, to: 0 });
  });

  it('learns density from each window read, empty ones included', () => {
    expect(densityOf({ from: 0, to: 99 }, 50)).toBe(0.5);
    expect(densityOf({ from: 0, to: 99 }, 0)).toBe(0);
    expect(planWindow(0, 100 * DAY, 0)!.to).toBe(31 * DAY - 3);
  });
});

describe('splitTruncated', () => {
  const window = { from: 0, to: 999 };
  it('first cuts below the 90th percentile of the returned dates', () => {
    const walls = Array.from({ length: 100 }, (_, i) => i * 5); // 0..495
    expect(splitTruncated(window, walls, 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 449 },
    });
  });

  it('cuts at the median once a retry was cut again', () => {
    const walls = Array.from({ length: 100 }, (_, i) => i * 10);
    expect(splitTruncated(window, walls, 1)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 499 },
    });
  });

  it('always makes progress and keeps whole seconds', () => {
    const walls = new Array(100).fill(0); // everything in the first second
    expect(splitTruncated(window, walls, 0)).toEqual({ kind: 'retry', window: { from: 0, to: 0 } });
    const late = new Array(100).fill(999);
    expect(splitTruncated(window, late, 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 998 },
    });
  });

  it('ignores the seconds the call read beside the window', () => {
    const walls = [...new Array(50).fill(-1), ...Array.from({ length: 50 }, (_, i) => i * 10)];
    expect(splitTruncated(window, [...walls, 1000, 1000], 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 449 },
    });
    // Cut by those seconds alone: nothing to learn from, the window is halved.
    expect(splitTruncated(window, new Array(10).fill(1000), 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 499 },
    });
  });

  it('reads the span before the returned records first when the cut kept the newest', () => {
    // The 100 records returned lie in 900..999, newest first: nothing is known of 0..899.
    const newest = Array.from({ length: 100 }, (_, i) => 999 - i);
    expect(splitTruncated(window, newest, 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 899 },
    });
  });

  it('keeps windows inside a cut window short enough for the records it showed', () => {
    const limits = { maxSpanSeconds: 10_000, targetRecords: 10 };
    const known = {
      window: { from: 0, to: 999 },
      walls: Array.from({ length: 100 }, (_, i) => 900 + i),
    };
    // From 900 on, the 11th known record is at 910: the window ends at 909.
    expect(capByKnownRecords({ from: 900, to: 5000 }, known, limits)).toEqual({
      from: 900,
      to: 909,
    });
    // Before the known records, up to just before the 11th of them.
    expect(capByKnownRecords({ from: 0, to: 5000 }, known, limits)).toEqual({ from: 0, to: 909 });
    // Past the cut window, or near its end with few known records left: unchanged.
    expect(capByKnownRecords({ from: 1000, to: 5000 }, known, limits)).toEqual({
      from: 1000,
      to: 5000,
    });
    expect(capByKnownRecords({ from: 995, to: 5000 }, known, limits)).toEqual({
      from: 995,
      to: 5000,
    });
    expect(capByKnownRecords({ from: 0, to: 50 }, undefined, limits)).toEqual({ from: 0, to: 50 });
  });

  it('halves the records when the cut kept any of them', () => {
    const spread = [500, 10, 990, 250, 750, 0, 600, 400, 100, 900];
    expect(splitTruncated(window, spread, 0)).toEqual({
      kind: 'retry',
      window: { from: 0, to: 499 },
    });
  });

  it('cannot split a single second', () => {
    expect(splitTruncated({ from: 5, to: 5 }, [5, 5], 0)).toEqual({ kind: 'indivisible' });
    expect(splitTimedOut({ from: 5, to: 5 })).toEqual({ kind: 'indivisible' });
  });

  it('tells the order a response came in, a few records out of place aside', () => {
    const ascending = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 3));
    expect(arrivalOrder(ascending)).toBe('oldest-first');
    expect(arrivalOrder([...ascending].reverse())).toBe('newest-first');
    const oneLate = [...ascending];
    oneLate[500] = 3;
    expect(arrivalOrder(oneLate)).toBe('oldest-first');
    expect(arrivalOrder([5, 1, 9, 2, 8, 3])).toBe('mixed');
    expect(arrivalOrder([7, 7, 7])).toBe('oldest-first');
  });

  it('halves a window that timed out', () => {
    expect(splitTimedOut({ from: 0, to: 9 })).toEqual({
      kind: 'retry',
      window: { from: 0, to: 4 },
    });
    expect(splitTimedOut({ from: 0, to: 1 })).toEqual({
      kind: 'retry',
      window: { from: 0, to: 0 },
    });
  });
});
