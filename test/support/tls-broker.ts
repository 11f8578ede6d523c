import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBrokerPort } from '../../scripts/free-port.js';
import { LocalBroker } from './local-broker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, '.cache', 'kafka', 'tls');

/**
 * A broker behind a private CA (scripts/kafka/tls-broker.sh): PLAINTEXT on `broker.port` for the
 * test's own clients, TLS on `tlsAddress`, and TLS that requires a client certificate on
 * `mtlsAddress`. The CA and the client's certificate, encrypted key and passphrase are files
 * under .cache/kafka/tls, made with keytool on the first start.
 */
export class TlsBroker {
  readonly files = {
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'client.pem'),
    key: join(dir, 'client-key.pem'),
    passphrase: join(dir, 'client-key.pass'),
  };

  private constructor(
    readonly broker: LocalBroker,
    readonly tlsAddress: string,
    readonly mtlsAddress: string,
  ) {}

  static async start(): Promise<TlsBroker> {
    const port = await freeBrokerPort();
    // Two more ports below the ephemeral range, for the two TLS listeners.
    const tlsPort = await freeBrokerPort();
    const env = { KAFKA_TLS_PORT: String(tlsPort), KAFKA_MTLS_PORT: String(tlsPort + 1) };
    const script = join(root, 'scripts', 'kafka', 'tls-broker.sh');
    const broker = new LocalBroker(port, undefined, { script, env });
    await broker.start({ fresh: true });
    return new TlsBroker(broker, `127.0.0.1:${tlsPort}`, `127.0.0.1:${tlsPort + 1}`);
  }

  /** Stops the broker and removes its data (the certificates stay for the next start). */
  async stop(): Promise<void> {
    await this.broker.stop();
    await rm(this.broker.stateDir, { recursive: true, force: true });
  }
}
