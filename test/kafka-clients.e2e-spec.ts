import type { Topics } from '@app/contracts';
import { Partitioners } from 'kafkajs';
import { CheckpointChain } from '../apps/poller/src/kafka/checkpoint-chain.js';
import { KafkaCheckpointStore } from '../apps/poller/src/kafka/kafka-checkpoint-store.js';
import {
  KAFKA_CLIENTS,
  type ClientTransaction,
  type KafkaClient,
  type KafkaClientName,
} from '../apps/poller/src/kafka/kafka-client.js';
import { KafkaLeaseBeacon } from '../apps/poller/src/kafka/kafka-lease-beacon.js';
import { ensureTopics, type TopicSpec } from '../apps/poller/src/kafka/topic-admin.js';
import { KafkaTransactionalPublisher } from '../apps/poller/src/kafka/transactional-publisher.js';
import { ProgressLog } from '../apps/poller/src/kafka/progress-log.js';
import type { Progress } from '../apps/poller/src/ports/checkpoint-store.port.js';
import { FencedError } from '../apps/poller/src/ports/event-publisher.port.js';
import type { ReadMessage } from '../apps/poller/src/kafka/topic-reader.js';
import { clientNamed, uniqueTopic } from './support/kafka.js';

/**
 * The contract of the Kafka client seam (kafka/kafka-client.ts), the same tests on each client
 * KAFKA_CLIENT names, on a real broker, through the poller's own adapters: topics created with
 * their settings, aborted records invisible to read_committed, a second producer of the same
 * transactional id fencing the first, a checkpoint committed with its events or not at all,
 * and a checkpoint written by one client read and continued by the other.
 */
const other = (name: KafkaClientName): KafkaClientName =>
  name === 'kafkajs' ? 'platformatic' : 'kafkajs';

const SERVER = '0042';

function specsFor(topics: Topics): TopicSpec[] {
  return [
    {
      topic: topics.events,
      partitions: 3,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'delete', 'max.message.bytes': '2097152' },
    },
    {
      topic: topics.deadLetters,
      partitions: 1,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'delete' },
    },
    {
      topic: topics.progress,
      partitions: 1,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'compact' },
    },
  ];
}

async function createdTopics(client: KafkaClient): Promise<Topics> {
  const topics = {
    events: uniqueTopic('contract-events'),
    deadLetters: uniqueTopic('contract-dlq'),
    progress: uniqueTopic('contract-progress'),
  };
  const admin = await client.admin();
  try {
    await ensureTopics(admin, specsFor(topics));
  } finally {
    await admin.disconnect();
  }
  return topics;
}

function publisherOf(
  client: KafkaClient,
  topics: Topics,
  transactionalId: string,
  chain?: CheckpointChain,
  maxRequestBytes?: number,
) {
  return new KafkaTransactionalPublisher(client, {
    topics,
    transactionalId,
    maxEventBytes: 1024 * 1024,
    ...(maxRequestBytes ? { maxRequestBytes } : {}),
    ...(chain ? { checkpoints: chain } : {}),
  });
}

/** The operation's checkpoint on `topics.progress`, read through `client`. */
function storeOf(client: KafkaClient, topics: Topics, chain?: CheckpointChain) {
  const log = new ProgressLog((options) => client.readToEnd(topics.progress, options));
  return new KafkaCheckpointStore(log, SERVER, chain);
}

/** A checkpoint big enough to take several chunks, so that a later one deletes some. */
function progressWith(keys: number, at: number): Progress {
  const seen = new Map<string, number>();
  for (let i = 0; i < keys; i++)
    seen.set(`wv-${SERVER}-${i.toString(16).padStart(40, '0')}`, at - (i % 600));
  return { cursor: at, settledBefore: at - 600, seen };
}

const event = (key: string) => ({
  key,
  value: Buffer.from(`{"id":"${key}"}`),
  headers: { 'content-type': 'application/json', ce_id: key },
});

/**
 * A commit's markers are written after commit() returns; a claim of its transactional id waits
 * for them (the coordinator answers CONCURRENT_TRANSACTIONS until then), as the poller's own
 * store reads only after its publisher's claim. So a test claims the id before reading.
 */
async function settle(client: KafkaClient, topics: Topics, transactionalId: string) {
  const claimant = publisherOf(client, topics, transactionalId);
  await claimant.claim();
  await claimant.close();
}

async function values(client: KafkaClient, topic: string, readUncommitted = false) {
  const read = await client.readToEnd(topic, { readUncommitted, timeoutMs: 30_000 });
  return read.map((m) => m.message.value?.toString()).sort();
}

describe.each(KAFKA_CLIENTS)('the Kafka client seam on %s', (name) => {
  let client: KafkaClient;
  beforeAll(() => {
    client = clientNamed(name);
  });

  it('creates the topics with their settings, then finds them as created', async () => {
    const topics = await createdTopics(client);
    const admin = await client.admin();
    try {
      const again = await ensureTopics(admin, specsFor(topics));
      expect(again).toEqual({
        created: [],
        warnings: [],
        maxMessageBytes: {
          [topics.events]: 2097152,
          // The broker's default, as described.
          [topics.deadLetters]: 1048588,
          [topics.progress]: 1048588,
        },
      });
      const described = await admin.describeTopicConfigs([topics.progress], ['cleanup.policy']);
      expect(described).toEqual([
        { topic: topics.progress, configs: { 'cleanup.policy': 'compact' } },
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('hides aborted records from read_committed and shows them read_uncommitted', async () => {
    const topics = await createdTopics(client);
    // Requests of one message: each send reaches the broker before the abort.
    const id = `contract-abort-${topics.events}`;
    const publisher = publisherOf(client, topics, id, undefined, 1);
    await publisher.claim();
    try {
      const aborted = publisher.begin();
      await aborted.send([event('aborted-1'), event('aborted-2')], [event('aborted-dlq')]);
      await aborted.abort();
      const committed = publisher.begin();
      await committed.send([event('committed-1')], []);
      await committed.commit();
    } finally {
      await publisher.close();
    }
    await settle(client, topics, id);
    for (const reader of [name, other(name)]) {
      const readerClient = reader === name ? client : clientNamed(reader);
      expect(await values(readerClient, topics.events)).toEqual(['{"id":"committed-1"}']);
    }
    expect(await values(client, topics.deadLetters)).toEqual([]);
    const [committed] = await client.readToEnd(topics.events);
    expect(committed.message.key?.toString()).toBe('committed-1');
    expect(committed.message.headers?.ce_id?.toString()).toBe('committed-1');
    expect(committed.message.headers?.['content-type']?.toString()).toBe('application/json');
    expect(await values(client, topics.events, true)).toEqual([
      '{"id":"aborted-1"}',
      '{"id":"aborted-2"}',
      '{"id":"committed-1"}',
    ]);
  });

  it("reads to the log's end past another producer's open transaction, once it has ended", async () => {
    // A fleet's progress topic: one operation's transaction still open (its checkpoint sent,
    // its markers not yet written), another's committed after it.
    const topics = await createdTopics(client);
    const record = (key: string) => ({ key, value: Buffer.from(key) });
    const send = (transaction: ClientTransaction, key: string) =>
      transaction.sendBatch({
        topicMessages: [{ topic: topics.progress, messages: [record(key)] }],
      });
    const producerOf = (id: string) =>
      client.transactionalProducer({
        transactionalId: `${id}-${topics.progress}`,
        transactionTimeoutMs: 60_000,
      });
    const [open, later] = await Promise.all([producerOf('open'), producerOf('later')]);
    try {
      // Each claims its id first (the seam's first transaction sends nothing).
      for (const producer of [open, later]) await (await producer.transaction()).abort();
      const before = await later.transaction();
      await send(before, 'committed-before');
      await before.commit();
      const held = await open.transaction();
      await send(held, 'open');
      const after = await later.transaction();
      await send(after, 'committed-after');
      await after.commit();

      const keys = (read: ReadMessage[]) => read.map((m) => m.message.key?.toString());
      // To the last stable offset: the read stops at the open transaction.
      expect(keys(await client.readToEnd(topics.progress, { timeoutMs: 30_000 }))).toEqual([
        'committed-before',
      ]);
      // To the log's end, uncommitted: everything, the open transaction's record too.
      const uncommitted = { readUncommitted: true, toLogEnd: true, timeoutMs: 30_000 };
      expect(keys(await client.readToEnd(topics.progress, uncommitted))).toEqual([
        'committed-before',
        'open',
        'committed-after',
      ]);
      // To the log's end, committed: it waits for the open transaction to end, then reads what
      // was committed after it.
      // (Two seconds of looking: a read that stopped at the stable offset answers at once.)
      const reading = client.readToEnd(topics.progress, { toLogEnd: true, timeoutMs: 30_000 });
      const early = await Promise.race([
        reading.then(keys),
        new Promise<'still reading'>((resolve) => setTimeout(resolve, 2_000, 'still reading')),
      ]);
      expect(early).toBe('still reading');
      await held.abort();
      expect(keys(await reading)).toEqual(['committed-before', 'committed-after']);
    } finally {
      await Promise.all([open.disconnect(), later.disconnect()]);
    }
  });

  it('puts each key on the partition the Java client and kafkajs choose', async () => {
    const topics = await createdTopics(client);
    const id = `contract-partition-${topics.events}`;
    const publisher = publisherOf(client, topics, id);
    // Enough keys that some hash with the sign bit set, which only a masked murmur2 places right.
    const keys = Array.from({ length: 60 }, (_, i) => `wv-${SERVER}-partition-${i}`);
    await publisher.claim();
    try {
      const tx = publisher.begin();
      await tx.send(keys.map(event), []);
      await tx.commit();
    } finally {
      await publisher.close();
    }
    await settle(client, topics, id);
    const java = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const wanted = (key: string) =>
      java({ topic: topics.events, partitionMetadata, message: { key, value: null } });
    const read = await client.readToEnd(topics.events);
    expect(read).toHaveLength(keys.length);
    const misplaced = read.filter((m) => m.partition !== wanted(m.message.key!.toString()));
    expect(misplaced.map((m) => m.message.key?.toString())).toEqual([]);
  });

  it('fences the first producer of a transactional id once a second one claims it', async () => {
    const topics = await createdTopics(client);
    const id = `contract-fence-${topics.events}`;
    const first = publisherOf(client, topics, id);
    const second = publisherOf(client, topics, id);
    await first.claim();
    try {
      await second.claim();
      const late = first.begin();
      await expect(
        (async () => {
          await late.send([event('from-the-fenced')], []);
          await late.commit();
        })(),
      ).rejects.toBeInstanceOf(FencedError);
      await expect(first.claim()).rejects.toBeInstanceOf(FencedError);
      const winner = second.begin();
      await winner.send([event('from-the-claimant')], []);
      await winner.commit();
    } finally {
      await first.close();
      await second.close();
    }
    await settle(client, topics, id);
    expect(await values(client, topics.events)).toEqual(['{"id":"from-the-claimant"}']);
  });

  it('commits the checkpoint with its events, or neither', async () => {
    const topics = await createdTopics(client);
    const chain = new CheckpointChain(SERVER);
    const store = storeOf(client, topics, chain);
    const id = `contract-cp-${topics.events}`;
    const publisher = publisherOf(client, topics, id, chain);
    await publisher.claim();
    try {
      expect(await store.load()).toBeNull();
      const first = publisher.begin();
      await first.send([event('e1')], []);
      await first.commit({ progress: progressWith(10, 1_700_000_000) });

      const dropped = publisher.begin();
      await dropped.send([event('e2')], []);
      await dropped.abort();
    } finally {
      await publisher.close();
    }
    await settle(client, topics, id);
    expect(await values(client, topics.events)).toEqual(['{"id":"e1"}']);
    const loaded = await storeOf(client, topics).load();
    expect(loaded?.progress.cursor).toBe(1_700_000_000);
    expect(loaded?.progress.seen.size).toBe(10);
  });

  it('resumes from a checkpoint the other client wrote, and the other reads its next one', async () => {
    const topics = await createdTopics(client);
    const id = `contract-switch-${topics.events}`;
    const writer = clientNamed(other(name));
    // The other client writes a checkpoint of several chunks, then a heartbeat.
    const beforeChain = new CheckpointChain(SERVER);
    const before = storeOf(writer, topics, beforeChain);
    const first = publisherOf(writer, topics, id, beforeChain);
    await first.claim();
    await before.load();
    const owner = { id: 'poller-a', heartbeatAt: '2026-01-01T00:00:00.000Z' };
    try {
      const tx = first.begin();
      await tx.send([event('by-the-other')], []);
      await tx.commit({ progress: progressWith(30_000, 1_700_000_000) });
    } finally {
      await first.close();
    }
    const beacon = new KafkaLeaseBeacon(writer, topics.progress, SERVER);
    await beacon.renew(owner);
    await beacon.close();

    // This client takes over: it fences the other's id, reads the checkpoint, writes the next.
    const chain = new CheckpointChain(SERVER);
    const store = storeOf(client, topics, chain);
    const publisher = publisherOf(client, topics, id, chain);
    await publisher.claim();
    try {
      const resumed = await store.load();
      expect(resumed?.progress.seen.size).toBe(30_000);
      expect((await store.loadStored())?.chunks).toBeGreaterThan(1);
      expect(await store.peekOwner()).toEqual(owner);
      const tx = publisher.begin();
      await tx.send([event('by-this-one')], []);
      await tx.commit({ progress: progressWith(5, 1_700_000_600) });
    } finally {
      await publisher.close();
    }

    // The other takes it back and reads it: a smaller checkpoint, its leftover chunks deleted.
    await settle(writer, topics, id);
    const after = await storeOf(writer, topics).loadStored();
    expect(after?.chunks).toBe(1);
    expect(after?.progress.cursor).toBe(1_700_000_600);
    expect(after?.progress.seen.size).toBe(5);
    expect(after?.generation).toBe(2);
    expect(await values(writer, topics.events)).toEqual([
      '{"id":"by-the-other"}',
      '{"id":"by-this-one"}',
    ]);
  });
});
