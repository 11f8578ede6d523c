import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import type { PollerConfig } from '../config/poller-config.js';

/** kafkajs client options from the validated configuration (SSL and SASL when configured). */
export function kafkaConfigFrom(config: PollerConfig['kafka'], logger?: logCreator): KafkaConfig {
  const sasl: SASLOptions | undefined = config.sasl
    ? {
        mechanism: config.sasl.mechanism,
        username: config.sasl.username,
        password: config.sasl.password.reveal(),
      }
    : undefined;
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    // Failures surface to the poll cycle, which retries the whole window; kafkajs's own retries
    // only need to ride out a leader election.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    ...(logger ? { logCreator: logger } : {}),
  };
}

export function createKafka(config: PollerConfig['kafka'], logger?: logCreator): Kafka {
  return new Kafka(kafkaConfigFrom(config, logger));
}
