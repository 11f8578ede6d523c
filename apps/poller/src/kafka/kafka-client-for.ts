import type { Kafka, logCreator } from 'kafkajs';
import type { PollerConfig } from '../config/poller-config.js';
import { kafkajsClient, type KafkaClient } from './kafka-client.js';
import { platformaticClient } from './platformatic/platformatic-client.js';
import { platformaticOptions } from './platformatic/platformatic-options.js';
import { retryLog } from './platformatic/retry-log.js';

/** The DI token of the client seam the poll loop's adapters are built on. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * The client KAFKA_CLIENT names: kafkajs (the default, over `kafka`) or @platformatic/kafka,
 * whose retries are logged through `logCreator` when there is one (kafkajs logs its own).
 */
export function kafkaClientFor(
  config: PollerConfig['kafka'],
  kafka: Kafka,
  logCreator?: logCreator,
): KafkaClient {
  return config.client === 'platformatic'
    ? platformaticClient(platformaticOptions(config, logCreator && retryLog(logCreator)))
    : kafkajsClient(kafka);
}
