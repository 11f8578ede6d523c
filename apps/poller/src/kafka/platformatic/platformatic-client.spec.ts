import {
  compatibilityPartitioner,
  type MessageRecord,
  type MessageToProduce,
  type Producer,
} from '@platformatic/kafka';
import { transactionalProducer } from './platformatic-client.js';

/** A producer whose transactions record what they are asked, over topics of known sizes. */
function recordingProducer(partitions: Record<string, number>) {
  const calls: Array<
    { added: string[] } | { sent: MessageToProduce[] } | { settled: 'sent' | 'failed' }
  > = [];
  const sendOutcomes: Array<() => Promise<unknown>> = [];
  const transaction = {
    addPartitions: (_metadata: unknown, records: MessageRecord[]) => {
      calls.push({ added: records.map((r) => `${r.topic}:${r.partition}`) });
      return Promise.resolve();
    },
    send: async ({ messages }: { messages: MessageToProduce[] }) => {
      calls.push({ sent: messages });
      const outcome = sendOutcomes.shift() ?? (() => Promise.resolve({}));
      try {
        const result = await outcome();
        calls.push({ settled: 'sent' });
        return result;
      } catch (error) {
        calls.push({ settled: 'failed' });
        throw error;
      }
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
  return { producer: producer as unknown as Producer, calls, sendOutcomes };
}

const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const batch = {
  topicMessages: [
    { topic: 'events', messages: keys.map((key) => ({ key, value: key })) },
    { topic: 'progress', messages: [{ key: 'op', value: 'checkpoint' }] },
  ],
};

async function windowTransaction(producer: Producer) {
  const seam = transactionalProducer(producer);
  await seam.transaction(); // the claim
  return seam.transaction();
}

describe('the @platformatic/kafka transactional producer', () => {
  it('sends a batch one partition per send, each record where the library would put it', async () => {
    const { producer, calls } = recordingProducer({ events: 3, progress: 1 });
    await (await windowTransaction(producer)).sendBatch(batch);

    const sends = calls.flatMap((c) => ('sent' in c ? [c.sent] : []));
    const partitionsOf = sends.map((records) => [
      ...new Set(records.map((r) => `${r.topic}:${r.partition}`)),
    ]);
    expect(partitionsOf.every((p) => p.length === 1)).toBe(true);
    expect(partitionsOf.flat().sort()).toEqual(['events:0', 'events:1', 'events:2', 'progress:0']);
    expect(
      sends
        .flat()
        .map((r) => r.key?.toString())
        .sort(),
    ).toEqual([...keys, 'op'].sort());
    // The partition the library would have picked itself: a key stays where it was.
    for (const record of sends.flat().filter((r) => r.topic === 'events'))
      expect(record.partition).toBe(compatibilityPartitioner(record, record.key) % 3);
    // Every partition is added in one request before the first send.
    expect(calls[0]).toEqual({ added: partitionsOf.flat() });
    expect(calls.filter((c) => 'added' in c)).toHaveLength(1);
  });

  it('reports a failed send only once every other send has settled', async () => {
    const { producer, calls, sendOutcomes } = recordingProducer({ events: 3, progress: 1 });
    let finishSlow: () => void = () => undefined;
    sendOutcomes.push(
      () => Promise.reject(new Error('refused')),
      () => new Promise<void>((resolve) => (finishSlow = resolve)),
    );
    const sending = (await windowTransaction(producer)).sendBatch(batch);
    let rejected = false;
    sending.catch(() => (rejected = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.filter((c) => 'settled' in c)).toEqual([
      { settled: 'failed' },
      { settled: 'sent' },
      { settled: 'sent' },
    ]);
    expect(rejected).toBe(false); // the slow send is still in flight
    finishSlow();
    await expect(sending).rejects.toThrow('refused');
  });
});
