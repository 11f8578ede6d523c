import { Kafka, logLevel } from 'kafkajs';
import type { PollerConfig } from '../../apps/poller/src/config/poller-config.js';
import {
  kafkajsClient,
  type KafkaClient,
  type KafkaClientName,
} from '../../apps/poller/src/kafka/kafka-client.js';
import { platformaticClient } from '../../apps/poller/src/kafka/platformatic/platformatic-client.js';
import { platformaticOptions } from '../../apps/poller/src/kafka/platformatic/platformatic-options.js';

/** The broker address that globalSetup put in the environment. */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run e2e tests through jest globalSetup');
  return brokers.split(',').map((b) => b.trim());
}

export function testKafka(clientId = 'e2e'): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/** The poller's client seam on `name`, on the test broker or on `brokers` (plain, no TLS). */
export function clientNamed(
  name: KafkaClientName,
  clientId = `contract-${name}`,
  brokers = testBrokers(),
): KafkaClient {
  if (name === 'kafkajs')
    return kafkajsClient(new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }));
  const config = { clientId, brokers, ssl: false };
  return platformaticClient(platformaticOptions(config as PollerConfig['kafka']));
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
