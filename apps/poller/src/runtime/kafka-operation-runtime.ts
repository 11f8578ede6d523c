import type { CallReport } from '@app/wolkvox-client';
import type { Kafka } from 'kafkajs';
import { Subject } from 'rxjs';
import type { PollerConfig } from '../config/poller-config.js';
import type { KafkaClient } from '../kafka/kafka-client.js';
import {
  checkpointChainFor,
  checkpointStoreFor,
  leaseBeaconFor,
  livePublisher,
} from '../kafka/kafka-adapters.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { wolkvoxEmailSource } from '../wolkvox/wolkvox-client.factory.js';
import { OperationRuntime, type SharedParts } from './operation-runtime.js';

/** What the process shares with the runtimes it runs on Kafka: the clients, the metrics. */
export interface KafkaSharedParts extends SharedParts {
  /** kafkajs: the reconciliation pass (as health and the CLI) keeps it. */
  kafka: Kafka;
  /** The client behind the poll loop's ports: kafkajs or @platformatic/kafka (KAFKA_CLIENT). */
  client: KafkaClient;
}

/**
 * One operation's runtime on its real adapters: the Wolkvox client with its own budget and token,
 * the transactional publisher under the operation's transactional id, the checkpoint on the
 * progress topic under its key, its lease beacon and its reconciliation. Builds clients and opens
 * nothing: connections are made as the runtime's loop first needs them, inside its logging
 * context.
 */
export function kafkaOperationRuntime(
  config: PollerConfig,
  shared: KafkaSharedParts,
): OperationRuntime {
  const { kafka, client } = shared;
  const calls = new Subject<CallReport>();
  const source = wolkvoxEmailSource(config, (report) => calls.next(report));
  // The publisher writes checkpoints as a chain that each load of the store moves.
  const chain = checkpointChainFor(config);
  return new OperationRuntime(
    config,
    {
      source,
      calls,
      store: checkpointStoreFor(client, config, chain),
      publisher: livePublisher(client, config, chain),
      beacon: leaseBeaconFor(client, config),
      reconciler: (cycle) => new Reconciler(config, kafka, source, cycle),
    },
    shared,
  );
}
