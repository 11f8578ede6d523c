import { jest } from '@jest/globals';
import { Partitioners, type Kafka, type RecordMetadata } from 'kafkajs';
import { kafkajsClient } from './kafka-client.js';
import {
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
    const admin = {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicMetadata: () =>
        Promise.resolve({
          topics: [
            { name: 'events', partitions: [{}] },
            { name: 'progress', partitions: [{}] },
          ],
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
    const transaction = await producer.transaction();
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
});
