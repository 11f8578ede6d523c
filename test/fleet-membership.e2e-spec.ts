import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { KafkaFleetMembership } from '../apps/poller/src/fleet/kafka-fleet-membership.js';
import { testKafka, uniqueTopic } from './support/kafka.js';

/**
 * The fleet's replicas share its operations through a Kafka consumer group on a real broker:
 * the coordinator hands each member its share, a member that leaves has its share moved to the
 * others, one that joins takes its share, and nothing else moves.
 */
const LOAD = new Map([0, 1, 2, 3, 4, 5].map((p) => [p, 1]));

class Replica {
  readonly membership: KafkaFleetMembership;
  assignments = 0;

  constructor(kafka: Kafka, groupId: string, topic: string) {
    this.membership = new KafkaFleetMembership(kafka, {
      groupId,
      topic,
      load: () => LOAD,
      onAssigned: () => {
        this.assignments++;
        return Promise.resolve();
      },
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
    });
  }

  get held(): readonly number[] {
    return this.membership.partitions;
  }
}

/** Resolves once every partition of LOAD is held by exactly one of `replicas`. */
async function settled(replicas: Replica[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = replicas.flatMap((r) => r.held).sort((a, b) => a - b);
    if (JSON.stringify(held) === JSON.stringify([...LOAD.keys()])) return;
    if (Date.now() > deadline)
      throw new Error(`not settled: ${JSON.stringify(replicas.map((r) => r.held))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('fleet membership', () => {
  let kafka: Kafka;
  const started: Replica[] = [];
  const topic = uniqueTopic('fleet');
  const groupId = `fleet-${randomUUID()}`;

  beforeAll(async () => {
    kafka = testKafka('fleet-e2e');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 8 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await Promise.all(started.map((r) => r.membership.stop()));
  });

  const start = async () => {
    const replica = new Replica(kafka, groupId, topic);
    started.push(replica);
    await replica.membership.start();
    return replica;
  };

  it('shares the operations, moves a leaver’s share only, and gives a newcomer its share', async () => {
    const [a, b, c] = [await start(), await start(), await start()];
    await settled([a, b, c]);
    expect([a, b, c].map((r) => r.held.length)).toEqual([2, 2, 2]);

    const before = { a: [...a.held], b: [...b.held] };
    await c.membership.stop();
    started.splice(started.indexOf(c), 1);
    await settled([a, b]);
    expect(a.held).toEqual(expect.arrayContaining(before.a));
    expect(b.held).toEqual(expect.arrayContaining(before.b));
    expect(c.held).toEqual([]);

    const kept = { a: [...a.held], b: [...b.held] };
    const d = await start();
    await settled([a, b, d]);
    expect([a, b, d].map((r) => r.held.length)).toEqual([2, 2, 2]);
    for (const p of a.held) expect(kept.a).toContain(p);
    for (const p of b.held) expect(kept.b).toContain(p);
  }, 180_000);
});
