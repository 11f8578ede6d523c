import kafkajs, { type Kafka } from 'kafkajs';
import { readTopicToEnd } from '../apps/poller/src/kafka/topic-reader.js';
import { testKafka, uniqueTopic } from './support/kafka.js';
import { createTopicsWithLeaders } from '../apps/poller/src/kafka/topic-leaders.js';

/**
 * The broker serves what the poller relies on, through kafkajs: compacted topics, idempotent
 * transactional produce (commit and abort), read_committed consumption, and fencing of a
 * producer whose transactional id a newer producer has claimed.
 */
const { ConfigResourceTypes } = kafkajs;

describe('Kafka broker for the poller', () => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = testKafka('broker-e2e');
  });

  it('creates a compacted topic', async () => {
    const topic = uniqueTopic('compacted');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, {
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] },
        ],
      });
      expect(described.resources[0].configEntries).toEqual([
        expect.objectContaining({ configName: 'cleanup.policy', configValue: 'compact' }),
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('shows read_committed consumers only committed transactions', async () => {
    const topic = uniqueTopic('tx');
    await createTopic(kafka, topic, 2);
    const producer = kafka.producer({
      idempotent: true,
      transactionalId: `tx-${topic}`,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'a', value: 'kept-1' },
          { key: 'b', value: 'kept-2' },
        ],
      });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'c', value: 'dropped' }] });
      await aborted.abort();

      const last = await producer.transaction();
      await last.send({ topic, messages: [{ key: 'd', value: 'kept-3' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    const values = (await readTopicToEnd(kafka, topic)).map((m) => m.message.value?.toString());
    expect(values.sort()).toEqual(['kept-1', 'kept-2', 'kept-3']);
  });

  it('fences the older of two producers with the same transactional id', async () => {
    const topic = uniqueTopic('fence');
    await createTopic(kafka, topic, 1);
    const transactionalId = `fence-${topic}`;
    const older = kafka.producer({ idempotent: true, transactionalId, maxInFlightRequests: 1 });
    const newer = kafka.producer({
      idempotent: true,
      transactionalId,
      maxInFlightRequests: 1,
      retry: { retries: 2 },
    });
    await older.connect();
    await newer.connect();
    try {
      const first = await older.transaction();
      await first.send({ topic, messages: [{ value: 'from-older' }] });
      await first.commit();

      // kafkajs asks for a producer id on the first transaction(), not on connect(): the
      // newer producer fences the older one only from then on.
      const claim = await newer.transaction();
      await claim.abort();

      const zombie = await older.transaction();
      await expect(
        zombie.send({ topic, messages: [{ value: 'from-zombie' }] }).then(() => zombie.commit()),
      ).rejects.toMatchObject({
        type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/),
      });

      const mine = await newer.transaction();
      await mine.send({ topic, messages: [{ value: 'from-newer' }] });
      await mine.commit();
    } finally {
      await older.disconnect();
      await newer.disconnect();
    }
    const values = (await readTopicToEnd(kafka, topic)).map((m) => m.message.value?.toString());
    expect(values).toEqual(['from-older', 'from-newer']);
  });
});

async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, { topics: [{ topic, numPartitions }] });
  } finally {
    await admin.disconnect();
  }
}
