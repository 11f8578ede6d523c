import { readFileSync } from 'node:fs';
import { wallTimeOf } from '@app/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_CLIENTS } from '../apps/poller/src/kafka/kafka-client.js';
import { expectEventsExactlyOnce, isolatedEnv, readEvents, waitFor } from './support/poller-app.js';
import { POLLER_MAIN, PollerProcess, runToExit } from './support/poller-process.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';
import { TlsBroker } from './support/tls-broker.js';

const ZONE = 'America/Bogota';
const TOKEN = 'tls-e2e-token-4b9d';
const EMAILS = 20;

/**
 * Brokers behind the operation's own CA, the way they run on premises: one broker with a TLS
 * listener and one that requires a client certificate (scripts/kafka/tls-broker.sh). The poller
 * publishes every email once over each, with the CA given as KAFKA_SSL_CA_FILE or as
 * NODE_EXTRA_CA_CERTS, and refuses to start, saying why, when nothing tells it to trust the CA.
 * The client-certificate test runs on each client KAFKA_CLIENT names.
 */
describe('Kafka over TLS with a private CA', () => {
  let tls: TlsBroker;
  let simulator: TestSimulator;
  /** The test's own view of the topics, over the broker's PLAINTEXT listener. */
  let kafka: Kafka;

  beforeAll(async () => {
    [tls, simulator] = await Promise.all([
      TlsBroker.start(),
      startTestSimulator({ seed: 'kafka-tls', token: TOKEN }),
    ]);
    kafka = new Kafka({ brokers: [tls.broker.address], logLevel: logLevel.NOTHING });
    const nowWall = wallTimeOf(new Date(), ZONE);
    await simulator.control.append(
      Array.from({ length: EMAILS }, (_, i) => ({
        record: cdr9Record(nowWall - 1200 + i * 50, i),
      })),
    );
  }, 240_000);

  afterAll(async () => {
    await simulator?.close();
    await tls?.stop();
  }, 60_000);

  /** Runs a poller with `kafkaEnv` until it has published every email; returns its output. */
  async function publishEveryEmailOnce(name: string, kafkaEnv: Record<string, string>) {
    const env = isolatedEnv(name);
    const poller = await PollerProcess.start({
      ...env,
      ...kafkaEnv,
      WOLKVOX_TOKEN: TOKEN,
      WOLKVOX_BASE_URL: simulator.url,
      POLL_START_AT: new Date(Date.now() - 30 * 60_000).toISOString(),
      POLL_INTERVAL_SECONDS: '2',
      POLL_SETTLE_SECONDS: '0',
    });
    try {
      await poller.waitForLive();
      await poller.waitForPublished(EMAILS, 90_000);
      // The metric counts a commit as it returns; the broker writes the transaction's markers
      // just after, and a read_committed reader sees nothing before them.
      await waitFor(
        async () => (await readEvents(kafka, env.EMAIL_SENT_TOPIC)).length >= EMAILS,
        30_000,
        `${EMAILS} committed events on ${env.EMAIL_SENT_TOPIC}`,
      );
      await expectEventsExactlyOnce(kafka, simulator, env, EMAILS);
    } finally {
      await poller.stop();
    }
    return `${poller.stdout}${poller.stderr}`;
  }

  it('publishes every email once with the CA in KAFKA_SSL_CA_FILE', async () => {
    await publishEveryEmailOnce('tls-ca-file', {
      KAFKA_BROKERS: tls.tlsAddress,
      KAFKA_SSL_CA_FILE: tls.files.ca,
    });
  }, 120_000);

  it.each(KAFKA_CLIENTS)(
    'on %s: publishes with a client certificate where the listener requires one, never showing the key',
    async (client) => {
      const output = await publishEveryEmailOnce(`tls-client-cert-${client}`, {
        KAFKA_CLIENT: client,
        KAFKA_BROKERS: tls.mtlsAddress,
        KAFKA_SSL_CA_FILE: tls.files.ca,
        KAFKA_SSL_CERT_FILE: tls.files.cert,
        KAFKA_SSL_KEY_FILE: tls.files.key,
        KAFKA_SSL_KEY_PASSPHRASE_FILE: tls.files.passphrase,
      });
      expect(output).not.toContain(readFileSync(tls.files.passphrase, 'utf8').trim());
      expect(output).not.toContain(readFileSync(tls.files.key, 'utf8').split('\n')[1]);
    },
    120_000,
  );

  it('publishes with the CA in NODE_EXTRA_CA_CERTS and KAFKA_SSL=true', async () => {
    await publishEveryEmailOnce('tls-extra-ca', {
      KAFKA_BROKERS: tls.tlsAddress,
      KAFKA_SSL: 'true',
      NODE_EXTRA_CA_CERTS: tls.files.ca,
    });
  }, 120_000);

  it('without the CA, stops at start with one line saying the broker is not trusted (exit 78)', async () => {
    const run = await runToExit(
      POLLER_MAIN,
      [],
      {
        ...isolatedEnv('tls-no-ca'),
        WOLKVOX_TOKEN: TOKEN,
        WOLKVOX_BASE_URL: simulator.url,
        POLL_START_AT: new Date(Date.now() - 30 * 60_000).toISOString(),
        KAFKA_BROKERS: tls.tlsAddress,
        KAFKA_SSL: 'true',
      },
      30_000,
    );
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `config error: KAFKA_SSL_CA_FILE: the certificate of broker ${tls.tlsAddress} is not trusted (self-signed certificate in certificate chain, SELF_SIGNED_CERT_IN_CHAIN): give the CA that signed it in KAFKA_SSL_CA_FILE or NODE_EXTRA_CA_CERTS`,
    ]);
  }, 60_000);
});
