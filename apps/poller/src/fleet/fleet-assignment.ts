import { createHash } from 'node:crypto';

/**
 * How a fleet's operations are shared by its replicas, decided by the Kafka group's leader (the
 * group coordinator elects it and hands its decision to every member, as Kafka Connect spreads a
 * connector's tasks over its workers). Pure: the membership adapter feeds it the group's members
 * and what each held before, and sends back what it returns.
 *
 * The group's members consume a topic of their own (the fleet topic, never written to) only to
 * be given its partitions: each operation rides on one partition, chosen by its server code's
 * hash, so that an operation added to the file moves no other. Two operations on the same
 * partition travel together; the balance counts operations, not partitions.
 */

/** The fleet topic's partition an operation rides on. */
export function partitionOf(server: string, partitions: number): number {
  const digest = createHash('sha256').update(server).digest();
  return digest.readUInt32BE(0) % partitions;
}

/** The operations on each partition that carries any, partitions in ascending order. */
export function operationsByPartition(
  servers: readonly string[],
  partitions: number,
): Map<number, string[]> {
  const byPartition = new Map<number, string[]>();
  for (const server of [...new Set(servers)].sort()) {
    const partition = partitionOf(server, partitions);
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), server]);
  }
  return new Map([...byPartition].sort(([a], [b]) => a - b));
}

export interface FleetMember {
  memberId: string;
  /** The partitions it held before this rebalance (from its join metadata): kept if they can be. */
  held: readonly number[];
}

/**
 * Each member's partitions: every partition that carries an operation goes to exactly one
 * member; a member keeps what it held as long as that keeps the operations balanced (no member
 * more than one partition's operations above another's), so a rebalance moves only what must
 * move: a dead member's share, a newcomer's share, an operation added or removed.
 */
export function assignPartitions(
  members: readonly FleetMember[],
  load: ReadonlyMap<number, number>,
): Map<string, number[]> {
  const order = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const assigned = new Map<string, number[]>(order.map((m) => [m.memberId, []]));
  if (order.length === 0) return assigned;
  const weight = (p: number) => load.get(p) ?? 0;
  const total = [...load.values()].reduce((sum, n) => sum + n, 0);
  // The most any member should carry: an even share, plus the largest partition's surplus.
  const cap = Math.ceil(total / order.length) + Math.max(0, ...load.values()) - 1;
  const carried = new Map<string, number>(order.map((m) => [m.memberId, 0]));
  const taken = new Set<number>();

  // 1. Keep what each held, heaviest first, while under the cap (a partition two members claim
  // goes to the first in member order: both held it across a missed rebalance).
  for (const member of order) {
    const kept = [...member.held]
      .filter((p) => weight(p) > 0 && !taken.has(p))
      .sort((a, b) => weight(b) - weight(a) || a - b);
    for (const partition of kept) {
      if (carried.get(member.memberId)! + weight(partition) > cap) continue;
      taken.add(partition);
      assigned.get(member.memberId)!.push(partition);
      carried.set(member.memberId, carried.get(member.memberId)! + weight(partition));
    }
  }
  // 2. The rest, heaviest first, each to the member carrying least (ties: member order).
  const rest = [...load.keys()]
    .filter((p) => weight(p) > 0 && !taken.has(p))
    .sort((a, b) => weight(b) - weight(a) || a - b);
  for (const partition of rest) {
    const lightest = order.reduce((best, m) =>
      carried.get(m.memberId)! < carried.get(best.memberId)! ? m : best,
    );
    assigned.get(lightest.memberId)!.push(partition);
    carried.set(lightest.memberId, carried.get(lightest.memberId)! + weight(partition));
  }
  for (const partitions of assigned.values()) partitions.sort((a, b) => a - b);
  return assigned;
}
