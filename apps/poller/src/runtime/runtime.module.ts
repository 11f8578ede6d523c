import { Module } from '@nestjs/common';
import { Kafka, type logCreator } from 'kafkajs';
import { FLEET_CONFIG, POLLER_CONFIG, type FleetConfig } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { KafkaFleetShare } from '../fleet/kafka-fleet-share.js';
import { KAFKA_CLIENT, kafkaClientFor } from '../kafka/kafka-client-for.js';
import type { KafkaClient } from '../kafka/kafka-client.js';
import { createKafka } from '../kafka/kafka-factory.js';
import { KAFKA_LOG_CREATOR } from '../logging/kafka-log-creator.js';
import { PollerMetrics } from './poller-metrics.js';
import { kafkaOperationRuntime } from './kafka-operation-runtime.js';
import { RuntimeSupervisor } from './runtime-supervisor.js';

/**
 * What Nest keeps of the operations: the process's Kafka client and metrics registry, which the
 * runtimes share, and the supervisor that runs them (all of them, or this replica's share of a
 * fleet). Everything an operation owns is in its runtime (operation-runtime.ts), not in this
 * module; health and metrics read the runtimes through the supervisor.
 */
@Module({
  providers: [
    {
      provide: Kafka,
      // kafkajs logs through the application's logger when LoggingModule provides one.
      inject: [POLLER_CONFIG, { token: KAFKA_LOG_CREATOR, optional: true }],
      useFactory: (config: PollerConfig, logCreator?: logCreator) =>
        createKafka(config.kafka, logCreator),
    },
    // The client behind the poll loop's ports (KAFKA_CLIENT); health, the fleet's membership,
    // the reconciliation pass and the CLI keep kafkajs.
    {
      provide: KAFKA_CLIENT,
      inject: [POLLER_CONFIG, Kafka, { token: KAFKA_LOG_CREATOR, optional: true }],
      useFactory: (config: PollerConfig, kafka: Kafka, logCreator?: logCreator) =>
        kafkaClientFor(config.kafka, kafka, logCreator),
    },
    { provide: PollerMetrics, useFactory: () => new PollerMetrics() },
    {
      provide: RuntimeSupervisor,
      inject: [FLEET_CONFIG, POLLER_CONFIG, Kafka, KAFKA_CLIENT, PollerMetrics],
      useFactory: (
        fleet: FleetConfig,
        first: PollerConfig,
        kafka: Kafka,
        client: KafkaClient,
        metrics: PollerMetrics,
      ) =>
        new RuntimeSupervisor(
          {
            operations: fleet.operations,
            share: fleet.shared
              ? new KafkaFleetShare(
                  kafka,
                  first,
                  fleet.operations.map((config) => config.wolkvox.server),
                )
              : undefined,
          },
          (config) => kafkaOperationRuntime(config, { kafka, client, metrics }),
        ),
    },
  ],
  exports: [RuntimeSupervisor, Kafka, PollerMetrics],
})
export class RuntimeModule {}
