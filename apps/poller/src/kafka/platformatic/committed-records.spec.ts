import { committedBatches, type FetchedBatch } from './committed-records.js';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

const batch = (
  firstOffset: number,
  producerId: number,
  attributes: number,
  records: string[] = [`r${firstOffset}`],
): FetchedBatch<string> => ({
  firstOffset: BigInt(firstOffset),
  lastOffsetDelta: Math.max(0, records.length - 1),
  attributes,
  producerId: BigInt(producerId),
  records,
});

describe('committedBatches', () => {
  // Producer 7 aborts offsets 0-1 (marker at 2), then commits 3 (marker at 4); producer 8
  // commits 5 with a marker at 6; a plain record at 7.
  const log = [
    batch(0, 7, TRANSACTIONAL, ['a0', 'a1']),
    batch(2, 7, TRANSACTIONAL | CONTROL, []),
    batch(3, 7, TRANSACTIONAL, ['c3']),
    batch(4, 7, TRANSACTIONAL | CONTROL, []),
    batch(5, 8, TRANSACTIONAL, ['c5']),
    batch(6, 8, TRANSACTIONAL | CONTROL, []),
    batch(7, -1, 0, ['p7']),
  ];
  const aborted = [{ producerId: 7n, firstOffset: 0n }];
  const records = (kept: FetchedBatch<string>[]) => kept.flatMap((b) => b.records);

  it('drops the aborted transaction up to its marker and the markers themselves', () => {
    expect(records(committedBatches(log, aborted, false))).toEqual(['c3', 'c5', 'p7']);
  });

  it('keeps the aborted records for a read_uncommitted reader', () => {
    expect(records(committedBatches(log, aborted, true))).toEqual(['a0', 'a1', 'c3', 'c5', 'p7']);
  });

  it('drops nothing when the broker lists no aborted transaction', () => {
    expect(records(committedBatches(log, null, false))).toEqual(['a0', 'a1', 'c3', 'c5', 'p7']);
  });
});
