import {
  Admin,
  compatibilityPartitioner,
  ConfigResourceTypes,
  Producer,
  type BaseOptions,
  type MessageRecord,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { Message } from 'kafkajs';
import type {
  ClientTransaction,
  KafkaClient,
  PlainProducer,
  TopicAdmin,
  TopicRecords,
  TransactionalProducer,
} from '../kafka-client.js';
import type { TopicSpec } from '../topic-admin.js';
import { onePartitionEach, withPartitions } from '../kafkajs-checked-send.js';
import { ClientProducer } from './client-api-versions.js';
import { typed } from './platformatic-errors.js';
import { readToEndPlatformatic } from './platformatic-reader.js';

/**
 * The client seam on @platformatic/kafka (KAFKA_CLIENT=platformatic). What it relies on, read in
 * its source (2.12) and checked by test/kafka-clients.e2e-spec.ts:
 * - `beginTransaction()` sends InitProducerId on a producer's first transaction only: that is the
 *   claim (it fences a rival and aborts what the previous owner left open); the claim's empty
 *   transaction is dropped with `cancel()`: no partition was added to it, so there is nothing
 *   for the coordinator to end;
 * - the producer's `timeout` is also the transaction timeout it asks InitProducerId for, so a
 *   transactional producer gets the publisher's transaction timeout;
 * - its default partitioner does not mask murmur2's sign bit as the Java client and kafkajs do:
 *   `compatibilityPartitioner` does, so a key lands on the same partition whichever client wrote
 *   it (a client switch keeps each key's order).
 */
export function platformaticClient(base: BaseOptions): KafkaClient {
  return {
    name: 'platformatic',
    // Nothing to await: @platformatic/kafka connects on the first request.
    transactionalProducer({ transactionalId, transactionTimeoutMs }) {
      const producer = new ClientProducer({
        ...base,
        timeout: transactionTimeoutMs,
        idempotent: true,
        transactionalId,
        // What InitProducerId is told this producer had: none. The client's default (0 and 0)
        // is taken by a broker that already knows the id (since KIP-360) as a stale producer of
        // it, and refused as fenced: a restarted poller could never claim its own id.
        producerId: -1n,
        producerEpoch: -1,
        autocreateTopics: false,
        partitioner: compatibilityPartitioner,
      });
      return Promise.resolve(transactionalProducer(producer));
    },
    plainProducer(): Promise<PlainProducer> {
      const producer = new Producer({
        ...base,
        retries: 1,
        autocreateTopics: false,
        partitioner: compatibilityPartitioner,
      });
      return Promise.resolve({
        send: async (topic, messages) => {
          await typed(producer.send({ acks: -1, messages: toRecords([{ topic, messages }]) }));
        },
        disconnect: () => producer.close(),
      });
    },
    admin: () => Promise.resolve(topicAdmin(new Admin(base))),
    readToEnd: (topic, options) => readToEndPlatformatic(base, topic, options),
  };
}

export function transactionalProducer(producer: Producer): TransactionalProducer {
  let claimed = false;
  return {
    async transaction(): Promise<ClientTransaction> {
      const transaction = await typed(producer.beginTransaction());
      if (!claimed) {
        claimed = true;
        // The claim: nothing is sent in it, and nothing needs ending on the broker.
        return {
          sendBatch: () => Promise.reject(new Error('the claim sends nothing')),
          commit: () => transaction.cancel(),
          abort: () => transaction.cancel(),
        };
      }
      return {
        // One partition per send. The library groups a send's records by leader once, and
        // retries each group to the leader of its first record's partition (2.12, producer.js
        // #performSingleDestinationSend): partitions of one group whose leaders part during the
        // send (a node shut down moving them to two others) are refused NOT_LEADER_OR_FOLLOWER
        // on every retry until the send fails. Seen in a rolling restart: a window's events and
        // checkpoint on one node, then on two, 16 s without a commit. A send to one partition
        // follows its own leader. Partitions are chosen as the library would (its
        // compatibilityPartitioner is kafkajs's murmur2), from the counts it holds.
        //
        // The sends go at once, not one after the other (which cost 15 to 31% of the records a
        // second): each takes its own partition's sequence numbers, so they do not interfere.
        // Their partitions are added to the transaction first, in one AddPartitionsToTxn: the
        // library runs one such request at a time and answers concurrent ones with its result,
        // which would leave the later sends' partitions unadded. Every send is waited for
        // before a failure is reported, so that an abort never races a send still in flight.
        sendBatch: async ({ topicMessages }) => {
          const topics = topicMessages.map(({ topic }) => topic);
          const metadata = await typed(producer.metadata({ topics }));
          const counts = new Map(
            topics.map((t) => [t, metadata.topics.get(t)?.partitionsCount ?? 0]),
          );
          const sends = onePartitionEach(withPartitions(topicMessages, counts)).map((one) =>
            toRecords([one]),
          );
          // Only a record's topic and partition are read: one stands for each send.
          const partitions: MessageRecord[] = sends.map(([{ topic, partition }]) => ({
            topic,
            partition,
            value: NOTHING,
          }));
          await typed(transaction.addPartitions(metadata, partitions));
          const sent = await Promise.allSettled(
            sends.map((messages) => typed(transaction.send({ messages }))),
          );
          const failed = sent.find((s): s is PromiseRejectedResult => s.status === 'rejected');
          if (failed) throw failed.reason;
        },
        commit: () => typed(transaction.commit()),
        abort: () => typed(transaction.abort()),
      };
    },
    disconnect: () => producer.close(),
  };
}

/** kafkajs-shaped messages (strings or Buffers) as @platformatic/kafka's Buffer records. */
export function toRecords(topicMessages: TopicRecords[]): MessageToProduce[] {
  return topicMessages.flatMap(({ topic, messages }) =>
    messages.map((message: Message) => ({
      topic,
      ...(message.key != null ? { key: asBuffer(message.key) } : {}),
      // None is a tombstone.
      ...(message.value != null ? { value: asBuffer(message.value) } : {}),
      ...(message.partition !== undefined ? { partition: message.partition } : {}),
      // Header names are serialised like values: Buffers too.
      ...(message.headers
        ? {
            headers: new Map(
              Object.entries(message.headers).flatMap(([name, value]) =>
                value === undefined
                  ? []
                  : [[Buffer.from(name), asBuffer(value as string | Buffer)] as const],
              ),
            ),
          }
        : {}),
    })),
  );
}

const NOTHING = Buffer.alloc(0);

const asBuffer = (value: string | Buffer): Buffer =>
  Buffer.isBuffer(value) ? value : Buffer.from(value);

function topicAdmin(admin: Admin): TopicAdmin {
  return {
    listTopics: () => typed(admin.listTopics()),
    async createTopics(specs: TopicSpec[]) {
      // Its configs apply to every topic of a request: one request per topic.
      for (const spec of specs) {
        await typed(
          admin.createTopics({
            topics: [spec.topic],
            partitions: spec.partitions,
            replicas: spec.replicationFactor,
            configs: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
          }),
        );
      }
      await waitForLeaders(
        admin,
        specs.map((s) => s.topic),
      );
    },
    async describeTopicConfigs(topics, names) {
      const described = await typed(
        admin.describeConfigs({
          resources: topics.map((name) => ({
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: name,
            configurationKeys: names,
          })),
        }),
      );
      return described.map((resource) => ({
        topic: resource.resourceName,
        configs: Object.fromEntries(
          resource.configs.map((c) => [c.name, c.value ?? undefined] as const),
        ),
      }));
    },
    disconnect: () => admin.close(),
  };
}

/** As kafkajs's `waitForLeaders`: the first produce then finds each partition's leader. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await typed(admin.metadata({ topics, forceUpdate: true }));
    const led = topics.every((topic) =>
      metadata.topics.get(topic)?.partitions.every((p) => p.leader >= 0),
    );
    if (led) return;
    if (Date.now() > deadline)
      throw new Error(`no leader for ${topics.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
