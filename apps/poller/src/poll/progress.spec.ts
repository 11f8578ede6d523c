import { parseWallTime } from '@app/contracts';
import { advance, initialProgress, type Progress } from './progress.js';

const t = (s: string): number => parseWallTime(`2026-03-01 ${s}`)!;
const HOUR = 3600;

describe('advance', () => {
  it('settles a window read long after its dates (catch-up) and keeps no keys for it', () => {
    const start = initialProgress(t('00:00:00'));
    const next = advance(
      start,
      {
        window: { from: t('00:00:00'), to: t('05:59:59') },
        readAt: t('23:00:00'),
        published: new Map([['a', t('01:00:00')]]),
      },
      HOUR,
    );
    expect(next.cursor).toBe(t('06:00:00'));
    expect(next.settledBefore).toBe(t('06:00:00'));
    expect(next.seen.size).toBe(0);
  });

  it('leaves the look-back unsettled and remembers its keys when reading near the present', () => {
    const start = initialProgress(t('10:00:00'));
    const next = advance(
      start,
      {
        window: { from: t('10:00:00'), to: t('11:59:30') },
        readAt: t('12:00:00'),
        published: new Map([
          ['old', t('10:30:00')],
          ['recent', t('11:30:00')],
        ]),
      },
      HOUR,
    );
    expect(next.cursor).toBe(t('11:59:31'));
    expect(next.settledBefore).toBe(t('11:00:00'));
    expect([...next.seen.keys()]).toEqual(['recent']);
  });

  it('does not settle past a gap of unsettled dates', () => {
    const progress: Progress = {
      cursor: t('12:00:00'),
      settledBefore: t('11:00:00'),
      seen: new Map([['k', t('11:10:00')]]),
    };
    // A later window of the same pass, starting after unsettled dates.
    const next = advance(
      progress,
      {
        window: { from: t('12:00:00'), to: t('12:04:59') },
        readAt: t('14:00:00'),
        published: new Map(),
      },
      HOUR,
    );
    expect(next.settledBefore).toBe(t('11:00:00'));
    expect(next.cursor).toBe(t('12:05:00'));
    expect(next.seen.get('k')).toBe(t('11:10:00'));
  });

  it('never moves a position backwards', () => {
    const progress: Progress = {
      cursor: t('12:00:00'),
      settledBefore: t('11:00:00'),
      seen: new Map(),
    };
    const next = advance(
      progress,
      {
        window: { from: t('11:00:00'), to: t('11:30:00') },
        readAt: t('11:45:00'),
        published: new Map(),
      },
      HOUR,
    );
    expect(next.cursor).toBe(t('12:00:00'));
    expect(next.settledBefore).toBe(t('11:00:00'));
  });
});
