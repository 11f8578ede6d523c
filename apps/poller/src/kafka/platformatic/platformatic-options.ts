import type { BaseOptions, SASLOptions } from '@platformatic/kafka';
import type { PollerConfig } from '../../config/poller-config.js';
import { KAFKA_RETRY } from '../kafka-factory.js';
import { kafkaSsl } from '../kafka-tls-options.js';
import { staleClusterView } from './platformatic-errors.js';

/** One failed attempt the library is about to retry, and after how long. */
export interface PlatformaticRetry {
  operation: string;
  attempt: number;
  retries: number;
  delayMs: number;
  error: Error;
}

/**
 * @platformatic/kafka's client options from the validated configuration: the same brokers, TLS
 * (kafka-tls-options.ts: the secrets stay behind getters) and SASL as the kafkajs client, and
 * the same retry schedule (kafka-factory.ts says why it spans a node's fencing): 100 ms doubling
 * to 1 s, 20 times.
 */
export function platformaticOptions(
  config: PollerConfig['kafka'],
  /** Told of each retry (the library logs nothing of its own): retry-log.ts. */
  onRetry?: (retry: PlatformaticRetry) => void,
): BaseOptions {
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
    retryDelay: (client, operation, attempt, retries, error) => {
      if (staleClusterView(error)) clearMetadataOf(client);
      const delayMs = Math.min(maxRetryTime, initialRetryTime * 2 ** Math.max(0, attempt - 1));
      onRetry?.({ operation, attempt, retries, delayMs, error });
      return delayMs;
    },
  };
}

/**
 * The client's cached metadata, dropped so that the next attempt asks the cluster again. The
 * library refreshes it on its own for a produce, but its transaction coordinator's lookup reads
 * the broker list from the cache whatever its age: after a node was lost and came back, the
 * coordinator moving onto it was "not in the cluster metadata" on every retry, and each
 * AddPartitionsToTxn of a window failed for its 20 retries (about 20 s) until the poller built a
 * new producer (the failover bench: a 20 s stop on every kill of the node after the restarted
 * one). The retry delay is the one hook the library gives between attempts.
 */
function clearMetadataOf(client: object): void {
  const metadataCache = client as { clearMetadata?: () => void };
  if (typeof metadataCache.clearMetadata === 'function') metadataCache.clearMetadata();
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
