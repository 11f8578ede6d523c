import type { Producer, TopicMessages, Transaction } from 'kafkajs';
import { KafkaTransaction } from './kafka-transaction.js';

/** A kafkajs producer stand-in whose sendBatch calls stay pending until released. */
function fakeProducer(options: { failSend?: number; failWith?: () => Error } = {}) {
  const log: string[] = [];
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let sends = 0;
  const transaction = {
    sendBatch: ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
      sends++;
      log.push(
        `send ${topicMessages.map((t) => `${t.topic}:${t.messages.map((m) => String(m.key)).join('')}`).join(' ')}`,
      );
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const fail = sends === options.failSend;
      return new Promise((resolve, reject) =>
        pending.push(() => {
          inFlight--;
          if (fail) reject(options.failWith?.() ?? new Error('NOT_ENOUGH_REPLICAS'));
          else resolve([]);
        }),
      );
    },
    commit: () => (log.push('commit'), Promise.resolve()),
    abort: () => (log.push('abort'), Promise.resolve()),
  } as unknown as Transaction;
  const producer = {
    transaction: () => (log.push('begin'), Promise.resolve(transaction)),
  } as unknown as Producer;
  /** Acknowledges every request sent so far, also those sent while acknowledging. */
  const ackAll = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      pending.splice(0).forEach((ack) => ack());
    }
  };
  return { producer, log, ackAll, maxInFlight: () => maxInFlight };
}

const message = (key: string) => ({ key, value: Buffer.alloc(100) });
const topics = { events: 'ev', deadLetters: 'dlq', progress: 'prog' };

function open(producer: Producer, failures: unknown[] = []) {
  return new KafkaTransaction(producer, {
    topics,
    // Two messages (2 x 165 bytes) per request.
    maxRequestBytes: 330,
    compression: undefined,
    fail: (error) => {
      failures.push(error);
      return Promise.resolve(new Error(`classified: ${(error as Error).message}`));
    },
  });
}

describe('KafkaTransaction', () => {
  it('sends full requests as they fill, one in flight, and the checkpoint last before the commit', async () => {
    const kafka = fakeProducer();
    const transaction = open(kafka.producer);
    const acks = kafka.ackAll();
    await transaction.send([message('a')], []);
    expect(kafka.log).toEqual([]); // half a request: held
    await transaction.send([message('b'), message('c')], [message('x')]);
    await transaction.send([message('d')], []);
    await transaction.commitWith([{ key: 'h', value: 'head' }]);
    await acks;
    expect(kafka.log).toEqual([
      'begin',
      'send ev:ab',
      'send ev:c dlq:x',
      'send ev:d prog:h',
      'commit',
    ]);
    expect(kafka.maxInFlight()).toBe(1);
  });

  it('commits a checkpoint alone in one request', async () => {
    const kafka = fakeProducer();
    const transaction = open(kafka.producer);
    const acks = kafka.ackAll();
    await transaction.commitWith([{ key: 'h', value: 'head' }]);
    await acks;
    expect(kafka.log).toEqual(['begin', 'send prog:h', 'commit']);
  });

  it('reports a failed request once, on the next call, and never commits after it', async () => {
    const kafka = fakeProducer({ failSend: 1 });
    const failures: unknown[] = [];
    const transaction = open(kafka.producer, failures);
    const acks = kafka.ackAll();
    await transaction.send([message('a'), message('b')], []);
    await expect(
      transaction
        .send([message('c'), message('d')], [])
        .then(() => transaction.commitWith([{ key: 'h', value: 'head' }])),
    ).rejects.toThrow('classified: NOT_ENOUGH_REPLICAS');
    await expect(transaction.commitWith([])).rejects.toThrow('classified');
    await transaction.abort(); // the producer is dropped: nothing to abort
    await acks;
    expect(failures).toHaveLength(1);
    expect(kafka.log).not.toContain('commit');
    expect(kafka.log).not.toContain('abort');
  });

  it('aborts after the request in flight settles', async () => {
    const kafka = fakeProducer();
    const transaction = open(kafka.producer);
    await transaction.send([message('a'), message('b')], []);
    const aborted = transaction.abort();
    await kafka.ackAll();
    await aborted;
    expect(kafka.log).toEqual(['begin', 'send ev:ab', 'abort']);
    await transaction.abort(); // once only
    expect(kafka.log.filter((l) => l === 'abort')).toHaveLength(1);
  });

  it('aborts nothing when nothing was sent', async () => {
    const kafka = fakeProducer();
    await open(kafka.producer).abort();
    expect(kafka.log).toEqual([]);
  });

  it('sends a request again after CONCURRENT_TRANSACTIONS instead of failing the window', async () => {
    // kafkajs wraps the last refusal once its own retries are spent.
    const refused = () =>
      Object.assign(new Error('retries exceeded'), {
        originalError: Object.assign(new Error('concurrent'), { type: 'CONCURRENT_TRANSACTIONS' }),
      });
    const kafka = fakeProducer({ failSend: 1, failWith: refused });
    const failures: unknown[] = [];
    const transaction = open(kafka.producer, failures);
    let done = false;
    const work = transaction
      .send([message('a'), message('b')], [])
      .then(() => transaction.commitWith([{ key: 'h', value: 'head' }]))
      .finally(() => (done = true));
    // The request goes again after a real 50 ms wait: acknowledge until the commit is through.
    while (!done) {
      await kafka.ackAll();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await work;
    expect(failures).toEqual([]);
    expect(kafka.log).toEqual(['begin', 'send ev:ab', 'send ev:ab', 'send prog:h', 'commit']);
  });
});
