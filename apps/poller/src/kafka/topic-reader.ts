import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { authorizationFailure } from './authorization-failure.js';
import { kafkaErrorTypes } from './kafka-errors.js';
import type { AclGrantee } from './required-acls.js';

export interface ReadMessage {
  partition: number;
  offset: string;
  message: KafkaMessage;
}

export interface ReadToEndOptions {
  /** Start offsets per partition; partitions not named start at the beginning. */
  fromOffsets?: Record<number, string>;
  /** Give up after this long (the topic may hold an open transaction of a live producer). */
  timeoutMs?: number;
  /** Read records of open and aborted transactions too (default: read_committed). */
  readUncommitted?: boolean;
  /**
   * End at the log's end as the call found it (the high watermark), not at the last stable
   * offset. With read_committed the read then waits until every transaction open at its start
   * has ended (its commit or abort writes the markers; the broker aborts one whose producer
   * died after the transaction timeout), so a record committed after a transaction that was
   * still open is not missed; uncommitted, the open transactions' records are read too. For a
   * topic that several producers' transactions share (a fleet's progress topic): without it a
   * read stops at the first open transaction of any of them.
   */
  toLogEnd?: boolean;
  /** Called for each message instead of collecting them (for topics too big to hold). */
  onMessage?: (message: ReadMessage) => void | Promise<void>;
  /** Who to grant a missing ACL to, in the error that names it. */
  grantee?: AclGrantee;
  /**
   * Told, once the read is complete, the offset each partition was read up to (the end it had
   * when the call started): where a reader that keeps what it read (ProgressLog) goes on from
   * next time, past transaction markers and aborted records too.
   */
  onEnd?: (ends: ReadonlyMap<number, string>) => void;
}

/**
 * Reads a topic (with `read_committed` unless told otherwise) from the beginning (or given offsets) up to the end
 * offsets it had when the call started, and returns the committed messages in offset order per
 * partition.
 *
 * kafkajs has no "read to end": a consumer never knows it is done. The end offsets are taken
 * first, and a partition counts as read once a batch ends at or past its last offset. Batches
 * that hold only transaction markers or aborted records still report their offsets through
 * END_BATCH_PROCESS, which is how a partition whose tail is a commit marker completes.
 *
 * What "the beginning" and "the end" are, as the broker answers them (ListOffsets):
 * - the beginning is the log start offset: records that retention deleted are not read, and
 *   retention counts from the records' timestamps, so records stamped further in the past than
 *   the topic's `retention.ms` go at the broker's next retention check once their segment rolls;
 * - the end is the read_committed one (the last stable offset), also with `readUncommitted`: it
 *   stops at the first open transaction, and a transaction whose commit() has returned stays
 *   open until the broker has written its markers, shortly after. Callers that must see a commit
 *   first fence its producer (the checkpoint store reads after the publisher's claim), or read
 *   to the log's end (`toLogEnd`: the progress topic, which other producers' transactions share).
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: ReadToEndOptions = {},
): Promise<ReadMessage[]> {
  const offsets = options.toLogEnd
    ? await topicOffsets(kafka, topic, 20_000, undefined, logEndOffsets)
    : await topicOffsets(kafka, topic);
  // A partition with nothing to read is at its end too (also below `fromOffsets`, for a topic
  // deleted and made again: reading goes on from its new end).
  const reached = new Map(offsets.map((o) => [o.partition, o.high] as const));
  const ends = new Map(
    offsets
      .map((o) => [o.partition, BigInt(o.high)] as const)
      .filter(
        ([partition, high]) =>
          high > BigInt(options.fromOffsets?.[partition] ?? lowOffset(offsets, partition)),
      ),
  );
  const collected: ReadMessage[] = [];
  if (ends.size === 0) {
    options.onEnd?.(reached);
    return collected;
  }

  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${randomUUID()}`,
    readUncommitted: options.readUncommitted ?? false,
    allowAutoTopicCreation: false,
  });
  const pending = new Set(ends.keys());
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const markRead = (partition: number, lastOffset: string): void => {
    const end = ends.get(partition);
    if (end !== undefined && BigInt(lastOffset) >= end - 1n) pending.delete(partition);
    if (pending.size === 0) finish();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    markRead(payload.partition, payload.lastOffset),
  );
  // A missing ACL crashes the consumer's runner, which kafkajs restarts for ever: without this
  // the read would only time out, saying nothing of why.
  let refuse!: (error: Error) => void;
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => undefined);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const grantee = options.grantee ?? { principal: 'User:<principal>', bootstrap: '<brokers>' };
    const missing = authorizationFailure(payload.error, { kind: 'read', topic }, grantee);
    if (missing) refuse(missing);
  });

  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = ends.get(partition);
        if (end === undefined || BigInt(message.offset) >= end) return;
        // Before `fromOffsets`: a fetch that started before the seek took effect, or a consumer
        // that kafkajs restarted after a crash (which forgets the seek and starts from the
        // beginning). A reader that keeps what it read (ProgressLog) would otherwise take those
        // older values over the newer ones it holds.
        const from = options.fromOffsets?.[partition];
        if (from !== undefined && BigInt(message.offset) < BigInt(from)) return;
        const read = { partition, offset: message.offset, message };
        if (options.onMessage) await options.onMessage(read);
        else collected.push(read);
      },
    });
    for (const [partition, offset] of Object.entries(options.fromOffsets ?? {})) {
      // A consumer that kafkajs is restarting refuses a seek ("consumer#run must be called
      // first"): it then reads from the beginning, and what lies before `offset` is dropped above.
      try {
        consumer.seek({ topic, partition: Number(partition), offset });
      } catch {
        // read from the beginning instead
      }
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic} to its end took over ${timeoutMs} ms; partitions left: ${[...pending].join(',')}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([done, timeout, refused]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  options.onEnd?.(reached);
  return collected;
}

/**
 * What a broker answers while a partition's leadership is moving or not taken up yet (a topic
 * just created, a node just lost). kafkajs's fetchTopicOffsets gives up at once on all of them
 * (it retries UNKNOWN_TOPIC_OR_PARTITION only, admin/index.js), and its metadata then still
 * names the old leader: so the offsets are asked again, with a new admin and fresh metadata.
 */
const LEADERSHIP_MOVING = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_LEADER_EPOCH',
  'FENCED_LEADER_EPOCH',
  'REPLICA_NOT_AVAILABLE',
  'OFFSET_NOT_AVAILABLE',
]);

type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/**
 * Each partition's earliest and stable end offsets (or, with `ask = logEndOffsets`, its log's
 * end), asked again while leadership moves.
 */
export async function topicOffsets(
  kafka: Pick<Kafka, 'admin'>,
  topic: string,
  timeoutMs = 20_000,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ask: (kafka: Pick<Kafka, 'admin'>, topic: string) => Promise<TopicOffsets> = stableOffsets,
): Promise<TopicOffsets> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask(kafka, topic);
    } catch (error) {
      const moving = kafkaErrorTypes(error).some((type) => LEADERSHIP_MOVING.has(type));
      if (!moving || Date.now() > deadline) throw error;
    }
    await sleep(Math.min(100 * attempt, 1_000));
  }
}

/** kafkajs's admin: its ListOffsets is read_committed, so `high` is the last stable offset. */
async function stableOffsets(kafka: Pick<Kafka, 'admin'>, topic: string): Promise<TopicOffsets> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
}

/** The part of kafkajs's internal Cluster that its admin's fetchTopicOffsets uses. */
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  fetchTopicsOffset(
    topics: Array<{
      topic: string;
      fromBeginning: boolean;
      partitions: Array<{ partition: number }>;
    }>,
  ): Promise<Array<{ partitions: Array<{ partition: number; offset: string }> }>>;
}

/**
 * Each partition's earliest offset and its log's end (the high watermark: ListOffsets with
 * read_uncommitted). kafkajs's admin asks read_committed only and takes no isolation level, so
 * this asks as its admin does, on a Cluster of the same client (brokers, TLS, SASL, logger)
 * made with read_uncommitted. That is kafkajs's private factory, which kafkajs 2.2.4 (pinned
 * exactly, and without releases since 2023) will not change; a change would fail here loudly,
 * and in the reader's spec on a real broker.
 */
export async function logEndOffsets(
  kafka: Pick<Kafka, 'admin'>,
  topic: string,
): Promise<TopicOffsets> {
  const factory = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  if (!factory)
    throw new Error("kafkajs has no private:Kafka:createCluster: the log's end cannot be read");
  const create = (kafka as unknown as Record<symbol, (options: object) => KafkajsCluster>)[factory];
  const cluster = create({ allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadataIfNecessary();
    const partitions = cluster
      .findTopicPartitionMetadata(topic)
      .map(({ partitionId }) => ({ partition: partitionId }));
    const [high, low] = await Promise.all(
      [false, true].map(async (fromBeginning) => {
        const [answer] = await cluster.fetchTopicsOffset([{ topic, fromBeginning, partitions }]);
        return new Map(answer.partitions.map((p) => [p.partition, p.offset] as const));
      }),
    );
    return partitions.map(({ partition }) => ({
      partition,
      offset: high.get(partition)!,
      high: high.get(partition)!,
      low: low.get(partition)!,
    }));
  } finally {
    await cluster.disconnect();
  }
}

/** kafkajs's ISOLATION_LEVEL.READ_UNCOMMITTED. */
const READ_UNCOMMITTED = 0;

/** The partition's earliest offset still kept: where a read from the beginning starts. */
function lowOffset(offsets: Array<{ partition: number; low: string }>, partition: number): string {
  return offsets.find((o) => o.partition === partition)?.low ?? '0';
}
