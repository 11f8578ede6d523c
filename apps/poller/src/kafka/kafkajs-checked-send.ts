import { Partitioners, type Message, type PartitionerArgs, type RecordMetadata } from 'kafkajs';
import type { TopicRecords } from './kafka-client.js';

/**
 * kafkajs 2.2.4 can resolve a send as written while some of its messages never left: its retry
 * keeps, for every broker that answered the first attempt, that answer, and sends only to the
 * brokers that did not (producer/sendMessages.js, `responsePerBroker`). When a partition's
 * leader moves during the send to a broker that had already answered for other partitions, the
 * moved partition's messages are skipped and the call resolves (tulios/kafkajs#1303, open; the
 * fix tulios/kafkajs#1798 is unreleased). Seen here on a three-node cluster: a window's events
 * missing from the topic, its checkpoint committed past them, nothing logged.
 *
 * So every message is given its partition before the send, chosen exactly as kafkajs would (its
 * default partitioner: murmur2 of the key modulo the topic's partition count, as the Java client
 * does), and the send's answer must name every partition written to. One that is missing fails
 * the send: the transaction is aborted and the window read again, never committed short.
 */

const partitioner = Partitioners.DefaultPartitioner();

/** The messages with their partition set, for topics of `counts` partitions. */
export function withPartitions(
  batch: readonly TopicRecords[],
  counts: ReadonlyMap<string, number>,
): TopicRecords[] {
  return batch.map(({ topic, messages }) => {
    const count = counts.get(topic);
    if (!count) throw new Error(`no partition count known for topic ${topic}`);
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
    })) as PartitionerArgs['partitionMetadata'];
    return {
      topic,
      messages: messages.map((message): Message => ({
        ...message,
        partition: partitioner({ topic, partitionMetadata, message }),
      })),
    };
  });
}

/**
 * The batch as one batch per partition, in order: each kafkajs send then goes to one broker.
 *
 * kafkajs 2.2.4 also writes messages twice in one transaction when a send spans several brokers
 * and one broker's request fails while another's is still in flight: the send's Promise.all
 * rejects at once, and its retry sends again to every broker without an answer yet, the one
 * still in flight included, with the sequence numbers after the first request's (taken before
 * it was sent and only given back when it fails), so the broker takes them as new records; both
 * copies commit (producer/sendMessages.js, `createProducerRequests`). A send to one partition
 * has one leader, so its retry only ever follows its own failure, with its own sequence numbers.
 * Seen as 40 events twice on a three-node cluster while a node was killed.
 */
export function onePartitionEach(batch: readonly TopicRecords[]): TopicRecords[] {
  const sends = new Map<string, TopicRecords>();
  for (const { topic, messages } of batch)
    for (const message of messages) {
      const key = `${topic}:${message.partition}`;
      const send = sends.get(key) ?? { topic, messages: [] };
      send.messages.push(message);
      sends.set(key, send);
    }
  return [...sends.values()];
}

/** The partitions written to that the answer does not name (as `topic:partition`), sorted. */
export function unansweredPartitions(
  sent: readonly TopicRecords[],
  answer: readonly RecordMetadata[],
): string[] {
  const answered = new Set(
    answer.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}:${r.partition}`),
  );
  const written = new Set(
    sent.flatMap(({ topic, messages }) => messages.map((m) => `${topic}:${m.partition}`)),
  );
  return [...written].filter((p) => !answered.has(p)).sort();
}

export class UnsentPartitionsError extends Error {
  override readonly name = 'UnsentPartitionsError';
  constructor(readonly partitions: readonly string[]) {
    super(
      `kafkajs resolved a send without an answer for ${partitions.join(', ')} (a leader moved during the send; tulios/kafkajs#1303): nothing of this transaction is committed`,
    );
  }
}
