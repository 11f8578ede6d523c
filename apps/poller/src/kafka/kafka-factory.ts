import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import type { PollerConfig } from '../config/poller-config.js';
import { kafkaSsl } from './kafka-tls-options.js';

/** kafkajs client options from the validated configuration (SSL and SASL when configured). */
export function kafkaConfigFrom(config: PollerConfig['kafka'], logger?: logCreator): KafkaConfig {
  const sasl: SASLOptions | undefined = config.sasl ? saslOptions(config.sasl) : undefined;
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: kafkaSsl(config),
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

/**
 * kafkajs 2.2.4 keeps this very object for every connection it opens and reads `password` each
 * time one authenticates (plain and SCRAM alike; also on re-authentication when the broker sets
 * `connections.max.reauth.ms`). So a getter that reads KAFKA_SASL_PASSWORD_FILE again hands a
 * rotated password to the next connection without rebuilding the client or the producer.
 * Connections already authenticated stay up: Kafka does not drop a session when a password
 * changes. A refused password fails the connection; kafkajs's reconnect reads the file again.
 */
function saslOptions(sasl: NonNullable<PollerConfig['kafka']['sasl']>): SASLOptions {
  const { password } = sasl;
  return {
    mechanism: sasl.mechanism,
    username: sasl.username,
    get password(): string {
      password.reread();
      return password.reveal();
    },
  };
}
