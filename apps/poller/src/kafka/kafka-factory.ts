import {
  Kafka,
  logLevel,
  type KafkaConfig,
  type logCreator,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { PollerConfig } from '../config/poller-config.js';
import { kafkaSsl } from './kafka-tls-options.js';

/**
 * kafkajs's retries of every request (produce, AddPartitionsToTxn, FindCoordinator, metadata).
 * When a node is lost, its partitions and the transactional ids it coordinates move only once
 * the controller has fenced it (`broker.session.timeout.ms`, 9 s by default) and elected new
 * leaders; until then each retry finds the same dead node. These retries are what lets a window
 * in flight ride that out and commit, instead of failing, being aborted, and costing a new
 * producer and two reads of the progress topic (some 5 to 15 s more while coordinators move):
 * so they span some 17 s, past a fencing with Kafka's defaults. Short and capped like the Java
 * producer's (`retry.backoff.ms` 100, `retry.backoff.max.ms` 1000), not kafkajs's 300 ms
 * doubling to 30 s, so the first attempt after the move comes within a second of it; a
 * CONCURRENT_TRANSACTIONS refusal, which every window meets while the previous one's markers
 * are written, is retried after 100 ms rather than 300.
 */
export const KAFKA_RETRY: RetryOptions = {
  initialRetryTime: 100,
  maxRetryTime: 1_000,
  multiplier: 2,
  factor: 0.2,
  retries: 20,
};

/** What kafkajs's retries of one request wait in all, leaving out its jitter (+-20% a wait). */
export function retryBudgetMs(retry: RetryOptions = KAFKA_RETRY): number {
  const { initialRetryTime = 300, maxRetryTime = 30_000, multiplier = 2, retries = 5 } = retry;
  let total = 0;
  for (let i = 0, wait = initialRetryTime; i < retries; i++, wait *= multiplier) {
    total += Math.min(wait, maxRetryTime);
  }
  return total;
}

/** kafkajs client options from the validated configuration (SSL and SASL when configured). */
export function kafkaConfigFrom(config: PollerConfig['kafka'], logger?: logCreator): KafkaConfig {
  const sasl: SASLOptions | undefined = config.sasl ? saslOptions(config.sasl) : undefined;
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: kafkaSsl(config),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    // A killed node's connections close at once; this bounds only a node that hangs.
    requestTimeout: 30_000,
    retry: KAFKA_RETRY,
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
