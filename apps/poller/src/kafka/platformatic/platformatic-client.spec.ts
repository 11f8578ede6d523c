import {
  compatibilityPartitioner,
  type MessageToProduce,
  type Producer,
} from '@platformatic/kafka';
import { transactionalProducer } from './platformatic-client.js';

/** A producer whose transactions record each send's records, over topics of known sizes. */
function recordingProducer(partitions: Record<string, number>) {
  const sends: MessageToProduce[][] = [];
  const transaction = {
    send: ({ messages }: { messages: MessageToProduce[] }) => {
      sends.push(messages);
      return Promise.resolve({});
    },
    commit: () => Promise.resolve(),
    abort: () => Promise.resolve(),
    cancel: () => Promise.resolve(),
  };
  const producer = {
    beginTransaction: () => Promise.resolve(transaction),
    metadata: ({ topics }: { topics: string[] }) =>
      Promise.resolve({
        topics: new Map(topics.map((t) => [t, { partitionsCount: partitions[t] }])),
      }),
    close: () => Promise.resolve(),
  };
  return { producer: producer as unknown as Producer, sends };
}

describe('the @platformatic/kafka transactional producer', () => {
  it('sends a batch one partition at a time, each record on the partition kafkajs would pick', async () => {
    const { producer, sends } = recordingProducer({ events: 3, progress: 1 });
    const seam = transactionalProducer(producer);
    await seam.transaction(); // the claim
    const transaction = await seam.transaction();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await transaction.sendBatch({
      topicMessages: [
        { topic: 'events', messages: keys.map((key) => ({ key, value: key })) },
        { topic: 'progress', messages: [{ key: 'op', value: 'checkpoint' }] },
      ],
    });
    const partitionsOf = sends.map(
      (records) => new Set(records.map((r) => `${r.topic}:${r.partition}`)),
    );
    expect(partitionsOf.every((set) => set.size === 1)).toBe(true);
    expect(sends.length).toBeGreaterThan(2);
    expect(
      sends
        .flat()
        .map((r) => r.key?.toString())
        .sort(),
    ).toEqual([...keys, 'op'].sort());
    // The checkpoint goes last, after every event.
    expect(sends.at(-1)!.map((r) => r.topic)).toEqual(['progress']);
    // The partition the library would have picked itself: a key stays where it was.
    for (const record of sends.flat().filter((r) => r.topic === 'events'))
      expect(record.partition).toBe(compatibilityPartitioner(record, record.key) % 3);
    expect(new Set(sends.flat().map((r) => r.partition)).size).toBe(3);
  });
});
