import {
  Partitioners,
  type CompressionTypes,
  type Kafka,
  type Message,
  type RecordMetadata,
} from 'kafkajs';
import { kafkajsTopicAdmin } from './kafkajs-topic-admin.js';
import type { TopicSpec } from './topic-admin.js';
import {
  onePartitionEach,
  unansweredPartitions,
  UnsentPartitionsError,
  withPartitions,
} from './kafkajs-checked-send.js';
import { readTopicToEnd, type ReadMessage, type ReadToEndOptions } from './topic-reader.js';

/**
 * The few Kafka primitives the poller's adapters use, whichever client speaks them (kafkajs, the
 * default, or @platformatic/kafka: KAFKA_CLIENT). Everything above this seam (the checkpoint
 * codec, topic settings, ACL error reporting, message-size rules) is written once, so the
 * records on the topics, and the checkpoint format, cannot depend on the client.
 *
 * Errors thrown through it carry Kafka's error name as `type` somewhere along their chain
 * (kafka-errors.ts reads it), as kafkajs's do.
 */
export interface KafkaClient {
  readonly name: KafkaClientName;
  /** A connected transactional producer. Its first `transaction()` claims the id (InitProducerId). */
  transactionalProducer(options: TransactionalProducerOptions): Promise<TransactionalProducer>;
  /** A connected producer of plain (non-transactional, acks=all) sends. */
  plainProducer(): Promise<PlainProducer>;
  /** A connected admin for the topics' creation and checks. */
  admin(): Promise<TopicAdmin>;
  /** Reads a topic from its beginning to its end at the call (topic-reader.ts says how). */
  readToEnd(topic: string, options?: ReadToEndOptions): Promise<ReadMessage[]>;
}

export type KafkaClientName = 'kafkajs' | 'platformatic';
export const KAFKA_CLIENTS: readonly KafkaClientName[] = ['kafkajs', 'platformatic'];

export interface TransactionalProducerOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
}

export interface TopicRecords {
  topic: string;
  messages: Message[];
}

export interface ClientTransaction {
  sendBatch(batch: {
    topicMessages: TopicRecords[];
    compression?: CompressionTypes;
  }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface TransactionalProducer {
  transaction(): Promise<ClientTransaction>;
  disconnect(): Promise<void>;
}

export interface PlainProducer {
  send(topic: string, messages: Message[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** A topic's described configs, by name. */
export interface DescribedTopic {
  topic: string;
  configs: Record<string, string | undefined>;
}

export interface TopicAdmin {
  listTopics(): Promise<string[]>;
  /** Waits for the new partitions' leaders. */
  createTopics(specs: TopicSpec[]): Promise<void>;
  describeTopicConfigs(topics: string[], names: string[]): Promise<DescribedTopic[]>;
  disconnect(): Promise<void>;
}

/** A kafkajs client, or the client-neutral seam over one. */
export type KafkaLike = Kafka | KafkaClient;

/** The seam over a kafkajs client; a seam is returned as it is. */
export function clientOf(kafka: KafkaLike): KafkaClient {
  return 'readToEnd' in kafka ? kafka : kafkajsClient(kafka);
}

export function kafkajsClient(kafka: Kafka): KafkaClient {
  return {
    name: 'kafkajs',
    async transactionalProducer({ transactionalId, transactionTimeoutMs }) {
      const producer = kafka.producer({
        idempotent: true,
        transactionalId,
        // Costs nothing: with idempotence kafkajs holds a lock per broker around each produce
        // request (eosManager.acquireBrokerLock), so one is in flight per broker in any case.
        maxInFlightRequests: 1,
        transactionTimeout: transactionTimeoutMs,
        allowAutoTopicCreation: false,
        // Named, not left to kafkajs's default (which warns on every producer): murmur2 on the
        // key, as the Java client partitions, so that a subscriber in any language can tell
        // which partition holds a key.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const counts = partitionCounts(kafka);
      return {
        async transaction() {
          const transaction = await producer.transaction();
          return {
            // One partition at a time, and checked: kafkajs may write a send spanning several
            // brokers twice, or resolve one some of whose messages never left
            // (kafkajs-checked-send.ts).
            async sendBatch({ topicMessages, compression }) {
              const topics = topicMessages.map(({ topic }) => topic);
              const partitioned = withPartitions(topicMessages, await counts(topics));
              const answer: RecordMetadata[] = [];
              for (const one of onePartitionEach(partitioned))
                answer.push(
                  ...(await transaction.sendBatch({
                    topicMessages: [one],
                    ...(compression !== undefined ? { compression } : {}),
                  })),
                );
              const unsent = unansweredPartitions(partitioned, answer);
              if (unsent.length > 0) throw new UnsentPartitionsError(unsent);
              return answer;
            },
            commit: () => transaction.commit(),
            abort: () => transaction.abort(),
          };
        },
        disconnect: () => producer.disconnect(),
      };
    },
    async plainProducer() {
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 1 },
      });
      await producer.connect();
      return {
        send: async (topic, messages) => {
          await producer.send({ topic, acks: -1, messages });
        },
        disconnect: () => producer.disconnect(),
      };
    },
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return kafkajsTopicAdmin(admin);
    },
    readToEnd: (topic, options) => readTopicToEnd(kafka, topic, options),
  };
}

/**
 * Each topic's partition count, read once per producer (a producer is built again after any
 * failure, so a topic given more partitions is seen at the next one).
 */
function partitionCounts(kafka: Kafka): (topics: string[]) => Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  return async (topics) => {
    const unknown = [...new Set(topics)].filter((topic) => !counts.has(topic));
    if (unknown.length > 0) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics: described } = await admin.fetchTopicMetadata({ topics: unknown });
        for (const { name, partitions } of described) counts.set(name, partitions.length);
      } finally {
        await admin.disconnect();
      }
    }
    return counts;
  };
}
