import type { BaseOptions, SASLOptions } from '@platformatic/kafka';
import type { PollerConfig } from '../../config/poller-config.js';
import { KAFKA_RETRY } from '../kafka-factory.js';
import { kafkaSsl } from '../kafka-tls-options.js';

/**
 * @platformatic/kafka's client options from the validated configuration: the same brokers, TLS
 * (kafka-tls-options.ts: the secrets stay behind getters) and SASL as the kafkajs client, and
 * the same retry schedule (kafka-factory.ts says why it spans a node's fencing): 100 ms doubling
 * to 1 s, 20 times.
 */
export function platformaticOptions(config: PollerConfig['kafka']): BaseOptions {
  const ssl = kafkaSsl(config);
  const { initialRetryTime = 100, maxRetryTime = 1_000, retries = 20 } = KAFKA_RETRY;
  return {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    ...(ssl ? { tls: ssl === true ? {} : ssl } : {}),
    ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
    connectTimeout: 5_000,
    requestTimeout: 30_000,
    retries,
    retryDelay: (_client, _operation, attempt) =>
      Math.min(maxRetryTime, initialRetryTime * 2 ** Math.max(0, attempt - 1)),
  };
}

const MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/**
 * The password as a provider, called on each authentication: a rotated KAFKA_SASL_PASSWORD_FILE
 * reaches the next connection, as with kafkajs (kafka-factory.ts).
 */
function saslOptions(sasl: NonNullable<PollerConfig['kafka']['sasl']>): SASLOptions {
  const { password } = sasl;
  return {
    mechanism: MECHANISMS[sasl.mechanism],
    username: sasl.username,
    password: () => {
      password.reread();
      return password.reveal();
    },
  };
}
