import { Module } from '@nestjs/common';
import { Kafka, type logCreator } from 'kafkajs';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { KAFKA_CLIENT, kafkaClientFor } from '../kafka/kafka-client-for.js';
import type { KafkaClient } from '../kafka/kafka-client.js';
import { createKafka } from '../kafka/kafka-factory.js';
import { KAFKA_LOG_CREATOR } from '../logging/kafka-log-creator.js';
import { PollerStatus } from '../loop/poller-status.js';
import { PollerMetrics } from './poller-metrics.js';
import { EmailSource } from '../ports/email-source.port.js';
import { kafkaOperationRuntime } from './kafka-operation-runtime.js';
import { OPERATION_RUNTIMES, RuntimeSupervisor } from './runtime-supervisor.js';

/**
 * What Nest keeps of the operations: the process's Kafka client and metrics registry, which the
 * runtimes share, and the supervisor that starts and stops them. Everything an operation owns is
 * in its runtime (operation-runtime.ts), not in this module. The health indicators read the one
 * operation's status, cycle and source through the aliases below.
 */
@Module({
  providers: [
    RuntimeSupervisor,
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
    { provide: PollerMetrics, useFactory: () => new PollerMetrics() },
    {
      // One runtime per operation of the configuration: today's names one.
      provide: OPERATION_RUNTIMES,
      inject: [POLLER_CONFIG, Kafka, KAFKA_CLIENT, PollerMetrics],
      useFactory: (
        config: PollerConfig,
        kafka: Kafka,
        client: KafkaClient,
        metrics: PollerMetrics,
      ) => [kafkaOperationRuntime(config, { kafka, client, metrics })],
    },
    { provide: PollerStatus, inject: [RuntimeSupervisor], useFactory: only((r) => r.status) },
    { provide: PollCycle, inject: [RuntimeSupervisor], useFactory: only((r) => r.cycle) },
    { provide: EmailSource, inject: [RuntimeSupervisor], useFactory: only((r) => r.source) },
  ],
  exports: [RuntimeSupervisor, Kafka, PollerMetrics, PollerStatus, PollCycle, EmailSource],
})
export class RuntimeModule {}

function only<T>(
  part: (runtime: RuntimeSupervisor['only']) => T,
): (supervisor: RuntimeSupervisor) => T {
  return (supervisor) => part(supervisor.only);
}
