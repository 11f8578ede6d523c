import { Logger } from '@nestjs/common';
import type { PollerConfig } from '../config/poller-config.js';
import { CheckpointChain } from './checkpoint-chain.js';
import { isChunkKey } from './checkpoint-codec.js';
import { topicSpecs } from './topic-specs.js';
import { KafkaCheckpointStore } from './kafka-checkpoint-store.js';
import { clientOf, type KafkaLike } from './kafka-client.js';
import { KafkaLeaseBeacon } from './kafka-lease-beacon.js';
import { ProgressLog } from './progress-log.js';
import { backfillTransactionalId, granteeOf, liveTransactionalId } from './required-acls.js';
import { ensureTopics } from './topic-admin.js';
import { KafkaTransactionalPublisher } from './transactional-publisher.js';

type PublisherConfig = Pick<PollerConfig, 'topics' | 'wolkvox' | 'kafka'>;

/**
 * The Kafka adapters of the poller's ports, each built from the configuration in one place: the
 * Nest module binds them, the CLI and the benchmarks build the same ones.
 */

/** The chain the live publisher writes the operation's checkpoints in, and its store moves. */
export function checkpointChainFor(config: Pick<PollerConfig, 'wolkvox'>): CheckpointChain {
  return new CheckpointChain(config.wolkvox.server);
}

const progressLogs = new WeakMap<KafkaLike, Map<string, ProgressLog>>();

/**
 * The progress topic's log for this Kafka client (kafkajs or the seam KAFKA_CLIENT names): one
 * per client and topic, so every store,
 * standby check and reconciliation of the process reads on from where the last read stopped.
 */
export function progressLogFor(kafka: KafkaLike, config: PublisherConfig): ProgressLog {
  const topic = config.topics.progress;
  const logs = progressLogs.get(kafka) ?? new Map<string, ProgressLog>();
  progressLogs.set(kafka, logs);
  let log = logs.get(topic);
  if (!log) {
    const grantee = granteeOf(config.kafka);
    const client = clientOf(kafka);
    log = new ProgressLog(
      // To the log's end: the topic is every operation's of a fleet (and the backfill's), and a
      // read that stopped at another's open transaction could miss this one's newer checkpoint.
      (options) =>
        client.readToEnd(topic, { ...options, toLogEnd: true, timeoutMs: 60_000, grantee }),
      (key) => !isChunkKey(key),
    );
    logs.set(topic, log);
  }
  return log;
}

/**
 * The operation's checkpoint read back from the progress topic; with the live publisher's
 * chain, each load tells it what the next checkpoint continues.
 */
export function checkpointStoreFor(
  kafka: KafkaLike,
  config: PublisherConfig,
  chain?: CheckpointChain,
): KafkaCheckpointStore {
  return new KafkaCheckpointStore(progressLogFor(kafka, config), config.wolkvox.server, chain);
}

/** Heartbeats to the progress topic while a cycle runs. */
export function leaseBeaconFor(kafka: KafkaLike, config: PublisherConfig): KafkaLeaseBeacon {
  return new KafkaLeaseBeacon(kafka, config.topics.progress, config.wolkvox.server);
}

/**
 * The live poll's publisher: its operation's transactional id (a second poller of it fences the
 * first), checkpoints written as the continuation of the chain, and the topics created or
 * checked before its first claim.
 */
export function livePublisher(
  kafka: KafkaLike,
  config: PollerConfig,
  checkpoints: CheckpointChain,
): KafkaTransactionalPublisher {
  return new KafkaTransactionalPublisher(kafka, {
    topics: config.topics,
    transactionalId: liveTransactionalId(config.wolkvox.server),
    maxEventBytes: config.kafka.eventsMaxMessageBytes,
    grantee: granteeOf(config.kafka),
    checkpoints,
    prepare: () => prepareTopics(kafka, config),
  });
}

/**
 * The publisher of a run that reads past days beside the live poll (the CLI's backfill, the
 * reconciliation pass): no checkpoint, and the backfill's transactional id, so that a pass and a
 * CLI backfill of the same operation fence each other rather than both publish a key neither had
 * seen. Never the live poll's id.
 */
export function backfillPublisher(kafka: KafkaLike, config: PublisherConfig) {
  return new KafkaTransactionalPublisher(kafka, {
    topics: config.topics,
    transactionalId: backfillTransactionalId(config.wolkvox.server),
    maxEventBytes: config.kafka.eventsMaxMessageBytes,
    grantee: granteeOf(config.kafka),
  });
}

async function prepareTopics(kafka: KafkaLike, config: PollerConfig) {
  const admin = await clientOf(kafka).admin();
  try {
    const ensured = await ensureTopics(admin, topicSpecs(config), granteeOf(config.kafka));
    const logger = new Logger('Topics');
    if (ensured.created.length) logger.log(`created ${ensured.created.join(', ')}`);
    for (const warning of ensured.warnings) logger.warn(warning);
    return ensured;
  } finally {
    await admin.disconnect();
  }
}
