import { Logger } from '@nestjs/common';
import type { PollerConfig } from '../config/poller-config.js';
import { topicSpecs } from '../loop/topic-specs.js';
import { KafkaCheckpointStore } from './kafka-checkpoint-store.js';
import { clientOf, type KafkaLike } from './kafka-client.js';
import { KafkaLeaseBeacon } from './kafka-lease-beacon.js';
import type { CheckpointEncoder } from './kafka-transaction.js';
import { backfillTransactionalId, granteeOf, liveTransactionalId } from './required-acls.js';
import { ensureTopics } from './topic-admin.js';
import { KafkaTransactionalPublisher } from './transactional-publisher.js';

type PublisherConfig = Pick<PollerConfig, 'topics' | 'wolkvox' | 'kafka'>;

/**
 * The Kafka adapters of the poller's ports, each built from the configuration in one place: the
 * Nest module binds them, the CLI and the benchmarks build the same ones.
 */

/** The operation's checkpoint on the progress topic (read back, and encoded for the publisher). */
export function checkpointStoreFor(
  kafka: KafkaLike,
  config: PublisherConfig,
): KafkaCheckpointStore {
  return new KafkaCheckpointStore(
    kafka,
    config.topics.progress,
    config.wolkvox.server,
    undefined,
    undefined,
    granteeOf(config.kafka),
  );
}

/** Heartbeats to the progress topic while a cycle runs. */
export function leaseBeaconFor(kafka: KafkaLike, config: PublisherConfig): KafkaLeaseBeacon {
  return new KafkaLeaseBeacon(kafka, config.topics.progress, config.wolkvox.server);
}

/**
 * The live poll's publisher: its operation's transactional id (a second poller of it fences the
 * first), checkpoints encoded by the store that reads them back, and the topics created or
 * checked before its first claim.
 */
export function livePublisher(
  kafka: KafkaLike,
  config: PollerConfig,
  checkpoints: CheckpointEncoder,
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
