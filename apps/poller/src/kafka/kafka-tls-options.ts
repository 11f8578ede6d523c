import type { ConnectionOptions } from 'node:tls';
import { inspect } from 'node:util';
import type { PollerConfig } from '../config/poller-config.js';

/**
 * The `ssl` option of the kafkajs client: false (plaintext), true (TLS with Node's trusted CAs,
 * NODE_EXTRA_CA_CERTS among them), or the options of KAFKA_SSL_*_FILE. kafkajs 2.2.4 merges
 * this object into `tls.connect`'s options for every connection it opens
 * (`Object.assign({ host, port, servername }, ssl)` in src/network/socketFactory.js), so the same
 * options serve the seed brokers and every broker the metadata names.
 *
 * The key and its passphrase are getters over `Secret`s: they leave the wrapper only when a
 * connection is opened, and the object kafkajs keeps holds no plain copy to be printed.
 */
export function kafkaSsl(config: PollerConfig['kafka']): boolean | ConnectionOptions {
  if (!config.ssl) return false;
  const tls = config.tls;
  if (!tls) return true;
  const options: ConnectionOptions = {};
  if (tls.ca) options.ca = tls.ca;
  if (tls.cert) options.cert = tls.cert;
  // Enumerable getters, so that Object.assign copies their value when a connection opens (a
  // spread here would copy it now). Not enumerable: how the object prints, if it ever does.
  for (const [name, secret] of [
    ['key', tls.key],
    ['passphrase', tls.passphrase],
  ] as const) {
    if (secret)
      Object.defineProperty(options, name, { enumerable: true, get: () => secret.reveal() });
  }
  const shown = () => 'KafkaTlsOptions([redacted])';
  Object.defineProperty(options, 'toJSON', { value: shown });
  Object.defineProperty(options, inspect.custom, { value: shown });
  return options;
}
