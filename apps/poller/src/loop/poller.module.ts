import { Module } from '@nestjs/common';
import type { CallReport } from '@app/wolkvox-client';
import { Kafka, type logCreator } from 'kafkajs';
import { Subject } from 'rxjs';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { createKafka } from '../kafka/kafka-factory.js';
import { KafkaCheckpointStore } from '../kafka/kafka-checkpoint-store.js';
import { KAFKA_LOG_CREATOR } from '../logging/kafka-log-creator.js';
import { checkpointStoreFor, leaseBeaconFor, livePublisher } from '../kafka/kafka-adapters.js';
import { KAFKA_CLIENT, kafkaClientFor } from '../kafka/kafka-client-for.js';
import { cycleSettingsFrom } from '../cycle/cycle-settings.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { EmailSource } from '../ports/email-source.port.js';
import { EventPublisher } from '../ports/event-publisher.port.js';
import { LeaseBeacon } from '../ports/lease-beacon.port.js';
import { wolkvoxEmailSource } from '../wolkvox/wolkvox-client.factory.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { PollerService } from './poller.service.js';
import { PollerStatus } from './poller-status.js';
import { SecretFileWatcher } from './secret-file-watcher.js';

/** Every HTTP request the Wolkvox client makes, for metrics and logs. */
export const API_CALLS = Symbol('API_CALLS');

/**
 * The poll loop and its four ports, each bound to its adapter here (ports are abstract classes
 * that double as DI tokens): EmailSource -> the undici Wolkvox client, EventPublisher -> the
 * kafkajs transactional producer, CheckpointStore -> the compacted progress topic (whose store
 * also encodes the checkpoints the publisher writes), LeaseBeacon -> a plain producer of
 * heartbeats to the same topic.
 */
@Module({
  providers: [
    PollerStatus,
    PollerService,
    Reconciler,
    SecretFileWatcher,
    { provide: API_CALLS, useValue: new Subject<CallReport>() },
    {
      provide: Kafka,
      // kafkajs logs through the application's logger when LoggingModule provides one.
      inject: [POLLER_CONFIG, { token: KAFKA_LOG_CREATOR, optional: true }],
      useFactory: (config: PollerConfig, logCreator?: logCreator) =>
        createKafka(config.kafka, logCreator),
    },
    // The client behind the poll loop's ports (KAFKA_CLIENT); health, the reconciliation pass
    // and the CLI keep kafkajs.
    {
      provide: KAFKA_CLIENT,
      inject: [POLLER_CONFIG, Kafka],
      useFactory: (config: PollerConfig, kafka: Kafka) => kafkaClientFor(config.kafka, kafka),
    },
    {
      provide: EmailSource,
      inject: [POLLER_CONFIG, API_CALLS],
      useFactory: (config: PollerConfig, calls: Subject<CallReport>) =>
        wolkvoxEmailSource(config, (report) => calls.next(report)),
    },
    {
      provide: KafkaCheckpointStore,
      inject: [KAFKA_CLIENT, POLLER_CONFIG],
      useFactory: checkpointStoreFor,
    },
    { provide: CheckpointStore, useExisting: KafkaCheckpointStore },
    {
      provide: EventPublisher,
      inject: [KAFKA_CLIENT, POLLER_CONFIG, KafkaCheckpointStore],
      useFactory: livePublisher,
    },
    { provide: LeaseBeacon, inject: [KAFKA_CLIENT, POLLER_CONFIG], useFactory: leaseBeaconFor },
    {
      provide: PollCycle,
      inject: [POLLER_CONFIG, EmailSource, EventPublisher, CheckpointStore, LeaseBeacon],
      useFactory: (
        config: PollerConfig,
        source: EmailSource,
        publisher: EventPublisher,
        store: CheckpointStore,
        beacon: LeaseBeacon,
      ) => new PollCycle(source, publisher, store, cycleSettingsFrom(config), beacon),
    },
  ],
  exports: [
    PollerStatus,
    PollerService,
    Reconciler,
    PollCycle,
    EmailSource,
    EventPublisher,
    LeaseBeacon,
    Kafka,
    API_CALLS,
  ],
})
export class PollerModule {}
