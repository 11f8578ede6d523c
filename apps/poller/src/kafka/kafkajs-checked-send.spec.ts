import { jest } from '@jest/globals';
import { Partitioners, type Kafka, type RecordMetadata } from 'kafkajs';
import { kafkajsClient } from './kafka-client.js';
import {
  onePartitionEach,
  unansweredPartitions,
  UnsentPartitionsError,
  withPartitions,
} from './kafkajs-checked-send.js';

const keyed = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));

const answered = (topicName: string, partition: number, errorCode = 0): RecordMetadata => ({
  topicName,
  partition,
  errorCode,
});

/** A transaction of the kafkajs client seam over a stand-in kafkajs whose sends are `sendBatch`. */
async function transactionOver(sendBatch: unknown, partitions: Record<string, number>) {
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchTopicMetadata: () =>
      Promise.resolve({
        topics: Object.entries(partitions).map(([name, count]) => ({
          name,
          partitions: Array.from({ length: count }, () => ({})),
        })),
      }),
  };
  const kafka = {
    producer: () => ({
      connect: () => Promise.resolve(),
      transaction: () => Promise.resolve({ sendBatch, commit: jest.fn(), abort: jest.fn() }),
    }),
    admin: () => admin,
  } as unknown as Kafka;
  const producer = await kafkajsClient(kafka).transactionalProducer({
    transactionalId: 't',
    transactionTimeoutMs: 60_000,
  });
  return producer.transaction();
}

describe('sends kafkajs may resolve short (tulios/kafkajs#1303)', () => {
  it('gives each message the partition kafkajs itself would choose', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const [events] = withPartitions(
      [{ topic: 'events', messages: keyed(50) }],
      new Map([['events', 5]]),
    );
    for (const message of events.messages) {
      const { partition, ...unset } = message;
      expect(partition).toBe(kafkajs({ topic: 'events', partitionMetadata, message: unset }));
    }
    expect(new Set(events.messages.map((m) => m.partition)).size).toBe(5);
  });

  it('names each partition written to that the answer leaves out or refuses', () => {
    const sent = withPartitions(
      [
        { topic: 'events', messages: keyed(20) },
        { topic: 'progress', messages: keyed(1) },
      ],
      new Map([
        ['events', 3],
        ['progress', 1],
      ]),
    );
    const all = [
      answered('events', 0),
      answered('events', 1),
      answered('events', 2),
      answered('progress', 0),
    ];
    expect(unansweredPartitions(sent, all)).toEqual([]);
    expect(unansweredPartitions(sent, all.slice(1))).toEqual(['events:0']);
    expect(unansweredPartitions(sent, [...all.slice(0, 3), answered('progress', 0, 6)])).toEqual([
      'progress:0',
    ]);
  });

  it('fails the send, through the client seam, when kafkajs answers for fewer partitions than it wrote', async () => {
    // kafkajs's answer after a leader moved: the events partition's messages were skipped.
    const sendBatch = jest.fn(() => Promise.resolve([answered('progress', 0)]));
    const transaction = await transactionOver(sendBatch, { events: 1, progress: 1 });
    const send = transaction.sendBatch({
      topicMessages: [
        { topic: 'events', messages: keyed(3) },
        { topic: 'progress', messages: keyed(1) },
      ],
    });
    await expect(send).rejects.toBeInstanceOf(UnsentPartitionsError);
    await expect(send).rejects.toThrow(/without an answer for events:0/);
    // Every message went with its partition set.
    const [[{ topicMessages }]] = sendBatch.mock.calls as unknown as [
      [{ topicMessages: Array<{ messages: Array<{ partition?: number }> }> }],
    ];
    expect(topicMessages.flatMap((t) => t.messages).every((m) => m.partition === 0)).toBe(true);
  });

  it('sends one partition at a time, so that no kafkajs send spans two brokers', async () => {
    // kafkajs's retry of a send spanning brokers writes a still-unanswered broker's share again.
    const sendBatch = jest.fn(
      (batch: {
        topicMessages: Array<{ topic: string; messages: Array<{ partition?: number }> }>;
      }) =>
        Promise.resolve(
          batch.topicMessages.flatMap(({ topic, messages }) =>
            [...new Set(messages.map((m) => m.partition!))].map((p) => answered(topic, p)),
          ),
        ),
    );
    const transaction = await transactionOver(sendBatch, { events: 3, progress: 1 });
    const answer = await transaction.sendBatch({
      topicMessages: [
        { topic: 'events', messages: keyed(30) },
        { topic: 'progress', messages: keyed(1) },
      ],
    });
    // Each call: one topic, one partition; together every message once.
    const calls = sendBatch.mock.calls.map(([batch]) => batch.topicMessages);
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call).toHaveLength(1);
      expect(new Set(call[0].messages.map((m) => m.partition)).size).toBe(1);
    }
    expect(calls.flatMap((call) => call[0].messages)).toHaveLength(31);
    expect(answer).toHaveLength(4);
  });

  it('groups a batch by partition, keeping the order within each', () => {
    const batch = [
      {
        topic: 'events',
        messages: [
          { key: 'a', value: '1', partition: 1 },
          { key: 'b', value: '2', partition: 0 },
          { key: 'c', value: '3', partition: 1 },
        ],
      },
      { topic: 'progress', messages: [{ key: 'p', value: '4', partition: 0 }] },
    ];
    expect(onePartitionEach(batch)).toEqual([
      { topic: 'events', messages: [batch[0].messages[0], batch[0].messages[2]] },
      { topic: 'events', messages: [batch[0].messages[1]] },
      { topic: 'progress', messages: [batch[1].messages[0]] },
    ]);
  });
});
