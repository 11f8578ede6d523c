import { Module } from '@nestjs/common';
import type { CallReport } from '@app/wolkvox-client';
import { Kafka, type logCreator } from 'kafkajs';
import { Subject } from 'rxjs';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { createKafka } from '../kafka/kafka-factory.js';
import { KafkaCheckpointStore } from '../kafka/kafka-checkpoint-store.js';
import { KafkaLeaseBeacon } from '../kafka/kafka-lease-beacon.js';
import { KAFKA_LOG_CREATOR } from '../logging/kafka-log-creator.js';
import { livePublisher } from '../kafka/publishers.js';
import { cycleSettingsFrom } from '../cycle/cycle-settings.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { EmailSource } from '../ports/email-source.port.js';
import { EventPublisher } from '../ports/event-publisher.port.js';
import { LeaseBeacon } from '../ports/lease-beacon.port.js';
import { createWolkvoxClient, dailyBudgetFor } from '../wolkvox/wolkvox-client.factory.js';
import { WolkvoxEmailSource } from '../wolkvox/wolkvox-email-source.js';
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
    {
      provide: EmailSource,
      inject: [POLLER_CONFIG, API_CALLS],
      useFactory: (config: PollerConfig, calls: Subject<CallReport>) => {
        const budget = dailyBudgetFor(config.wolkvox);
        const client = createWolkvoxClient(config.wolkvox, budget, (report) => calls.next(report));
        return new WolkvoxEmailSource(client, budget);
      },
    },
    {
      provide: KafkaCheckpointStore,
      inject: [POLLER_CONFIG, Kafka],
      useFactory: (config: PollerConfig, kafka: Kafka) =>
        new KafkaCheckpointStore(kafka, config.topics.progress, config.wolkvox.server),
    },
    { provide: CheckpointStore, useExisting: KafkaCheckpointStore },
    {
      provide: EventPublisher,
      inject: [Kafka, POLLER_CONFIG, KafkaCheckpointStore],
      useFactory: livePublisher,
    },
    {
      provide: LeaseBeacon,
      inject: [POLLER_CONFIG, Kafka],
      useFactory: (config: PollerConfig, kafka: Kafka) =>
        new KafkaLeaseBeacon(kafka, config.topics.progress, config.wolkvox.server),
    },
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
