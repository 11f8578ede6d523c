import {
  assignPartitions,
  operationsByPartition,
  partitionOf,
  type FleetMember,
} from './fleet-assignment.js';

const ones = (...partitions: number[]) => new Map(partitions.map((p) => [p, 1]));
const member = (memberId: string, ...held: number[]): FleetMember => ({ memberId, held });
const sizes = (a: Map<string, number[]>) => [...a.values()].map((p) => p.length);

describe('fleet assignment', () => {
  it('puts each operation on a partition by its server code alone', () => {
    expect(partitionOf('0010', 64)).toBe(partitionOf('0010', 64));
    const servers = Array.from({ length: 50 }, (_, i) => String(1000 + i));
    const before = operationsByPartition(servers, 64);
    const after = operationsByPartition([...servers, '9999'], 64);
    // Adding an operation moves no other.
    for (const [partition, ops] of before)
      expect(after.get(partition)).toEqual(expect.arrayContaining(ops));
    expect([...before.values()].flat().sort()).toEqual(servers);
  });

  it('gives every carrying partition to one member, balanced', () => {
    const assigned = assignPartitions(
      [member('a'), member('b'), member('c')],
      ones(0, 1, 2, 3, 4, 5, 6),
    );
    expect([...assigned.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sizes(assigned).sort()).toEqual([2, 2, 3]);
  });

  it('moves only the dead member’s share when one leaves', () => {
    const load = ones(0, 1, 2, 3, 4, 5);
    const before = assignPartitions([member('a'), member('b'), member('c')], load);
    const survivors = [member('a', ...before.get('a')!), member('c', ...before.get('c')!)];
    const after = assignPartitions(survivors, load);
    expect(after.get('a')).toEqual(expect.arrayContaining(before.get('a')!));
    expect(after.get('c')).toEqual(expect.arrayContaining(before.get('c')!));
    expect(sizes(after)).toEqual([3, 3]);
  });

  it('gives a newcomer its share from the others, and nothing else moves', () => {
    const load = ones(0, 1, 2, 3, 4, 5);
    const after = assignPartitions([member('a', 0, 1, 2), member('b', 3, 4, 5), member('c')], load);
    expect(sizes(after)).toEqual([2, 2, 2]);
    for (const p of after.get('a')!) expect([0, 1, 2]).toContain(p);
    for (const p of after.get('b')!) expect([3, 4, 5]).toContain(p);
  });

  it('counts operations, not partitions, and drops partitions that carry none', () => {
    const load = new Map([
      [0, 3],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 0],
    ]);
    const assigned = assignPartitions([member('a', 4), member('b')], load);
    const carried = [...assigned.values()].map((ps) => ps.reduce((n, p) => n + load.get(p)!, 0));
    expect(carried.sort()).toEqual([3, 3]);
    expect([...assigned.values()].flat()).not.toContain(4);
  });

  it('settles a partition two members claim on one of them', () => {
    const assigned = assignPartitions([member('b', 0, 1), member('a', 0)], ones(0, 1));
    expect([...assigned.values()].flat().sort()).toEqual([0, 1]);
    expect(assigned.get('a')).toEqual([0]);
    expect(assigned.get('b')).toEqual([1]);
  });
});
