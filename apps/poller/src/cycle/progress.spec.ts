import { parseWallTime } from '@app/contracts';
import { CALL_MARGIN_SECONDS } from './call-bounds.js';
import { WindowMapper } from './event-mapping.js';
import type { Progress } from '../ports/checkpoint-store.port.js';
import { advance, initialProgress } from './progress.js';

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
    // A later window of the same sweep, starting after unsettled dates.
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

describe('advance, with the dead letters of records that have no usable date', () => {
  /**
   * Passes as the poll cycle runs them, every 5 minutes: windows of 7 minutes from settledBefore
   * to the present, each API call a margin wider than its window. A bad record filed under
   * second `filed` (its own date unusable) is in every call that covers that second; it must be
   * published the first time and found in `seen` every time after, whichever second it is.
   */
  function publications(filed: number, start: number, sweeps: number): number {
    const operation = { server: '0010', timeZone: 'America/Bogota' };
    const raw = { date: '2026-02-30 10:00:00', to: 5 };
    let progress: Progress = initialProgress(start);
    let published = 0;
    for (let sweep = 1; sweep <= sweeps; sweep++) {
      const present = start + sweep * 300;
      for (let from = progress.settledBefore; from <= present;) {
        const window = { from, to: Math.min(from + 419, present) };
        const keys = new Map<string, number>();
        const reached =
          filed >= from - CALL_MARGIN_SECONDS && filed <= window.to + CALL_MARGIN_SECONDS;
        if (reached) {
          const mapper = new WindowMapper(window, operation, 1 << 20, new Date(0));
          const keyed = mapper.keyInvalid(raw)!;
          if (!progress.seen.has(keyed.key)) {
            keys.set(keyed.key, keyed.wall);
            published++;
          }
        }
        progress = advance(progress, { window, readAt: present, published: keys }, HOUR);
        from = window.to + 1;
      }
    }
    return published;
  }

  it('publishes it once through every re-read of the look-back, whatever second it is filed under', () => {
    const start = t('10:00:00');
    const twice: number[] = [];
    // Every second of the first 40 minutes: window edges, call margins, settling boundaries.
    for (let s = 0; s < 2400; s++) if (publications(start + s, start, 25) !== 1) twice.push(s);
    expect(twice).toEqual([]);
  });
});
