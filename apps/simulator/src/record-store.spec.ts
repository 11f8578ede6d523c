import { parseWallTime } from '@app/contracts';
import { coveredSeconds, RecordStore, storedRecord, truthEntry } from './record-store.js';

const base = parseWallTime('2026-03-01 10:00:00')!;

function at(offset: number, visibleAt = 0, tag = '') {
  return storedRecord({ n: `${offset}${tag}` }, base + offset, visibleAt);
}

describe('RecordStore', () => {
  it('returns the visible records of an inclusive window, earliest first, at most limit', () => {
    const store = new RecordStore();
    store.append([at(0), at(1), at(2, 5_000), at(3), at(4), at(5)]);
    const query = {
      from: base + 1,
      to: base + 4,
      nowMs: 1_000,
      limit: 10,
      order: 'oldest' as const,
    };
    expect(store.query(query).map((r) => r.record.n)).toEqual(['1', '3', '4']);
    expect(store.query({ ...query, nowMs: 5_000 }).map((r) => r.record.n)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    // The cut keeps the earliest by date, like ORDER BY date LIMIT n.
    expect(store.query({ ...query, limit: 2 }).map((r) => r.record.n)).toEqual(['1', '3']);
  });

  it('keeps records appended out of order in date order, same-second ones in insertion order', () => {
    const store = new RecordStore();
    store.append([at(5), at(1, 0, 'a')]);
    store.append([at(3), at(1, 0, 'b')]);
    expect(store.all().map((r) => r.record.n)).toEqual(['1a', '1b', '3', '5']);
    expect(
      store.query({ from: base + 1, to: base + 1, nowMs: 0, limit: 10, order: 'oldest' }),
    ).toHaveLength(2);
  });

  it('cuts after ordering: newest first keeps the newest, shuffled keeps any', () => {
    const store = new RecordStore();
    store.append([at(0), at(1), at(2), at(3), at(4), at(5)]);
    const query = { from: base, to: base + 5, nowMs: 0, limit: 3 };
    expect(store.query({ ...query, order: 'newest' }).map((r) => r.record.n)).toEqual([
      '5',
      '4',
      '3',
    ]);
    const draws = [0.99, 0.99, 0.99];
    const shuffled = store.query({ ...query, order: 'shuffled', random: () => draws.shift()! });
    // Each draw near 1 swaps the last record to the front: 5, then 0, then 1.
    expect(shuffled.map((r) => r.record.n)).toEqual(['5', '0', '1']);
    const all = store.query({ ...query, limit: 10, order: 'shuffled', random: () => 0 });
    expect(all.map((r) => r.record.n).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('covers the seconds each reading of the bounds gives', () => {
    const window = { from: base, to: base + 10 };
    expect(coveredSeconds(window, 'inclusive')).toEqual({ from: base, to: base + 10 });
    expect(coveredSeconds(window, 'end-exclusive')).toEqual({ from: base, to: base + 9 });
    expect(coveredSeconds(window, 'start-exclusive')).toEqual({ from: base + 1, to: base + 10 });
    expect(coveredSeconds(window, 'exclusive')).toEqual({ from: base + 1, to: base + 9 });
  });

  it('marks records that fail the contracts and shows the truth in plain text', () => {
    const good = {
      channel: 'c',
      date: '2026-03-01 10:00:00',
      from: 'f',
      to: 't',
      subject: 's',
      body: 'b',
    };
    const stored = storedRecord(good, base, Date.UTC(2026, 2, 1, 15));
    expect(truthEntry(stored)).toEqual({
      record: good,
      indexDate: '2026-03-01 10:00:00',
      visibleAt: '2026-03-01T15:00:00.000Z',
      valid: true,
    });
    expect(storedRecord({ ...good, date: '2026-02-30 10:00:00' }, base, 0).valid).toBe(false);
  });
});
