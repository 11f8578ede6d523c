/*
 * Finds or starts the Kafka broker for the e2e tests, in this order:
 *   1. KAFKA_BROKERS when set: a broker that already runs (nothing is started or stopped);
 *   2. a Docker engine that answers: an apache/kafka container through testcontainers;
 *   3. otherwise a JVM broker from scripts/kafka/broker.sh (jars resolved from Maven Central).
 * TEST_KAFKA=jvm|testcontainers forces 2 or 3. The address reaches tests as KAFKA_BROKERS.
 *
 * Jest loads this file as CommonJS outside the test module system (no moduleNameMapper), so it
 * imports only packages and node builtins.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KAFKA_IMAGE = 'apache/kafka:4.4.0';

/** What setup started, so that teardown stops only that (jest runs both in one process). */
interface StartedBroker {
  stop(): Promise<void>;
}
declare global {
  var __E2E_BROKER__: StartedBroker | undefined;
}

export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  if (process.env.KAFKA_BROKERS?.trim()) {
    log(`using the broker at KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return;
  }
  const started = Date.now();
  const port = await freePort();
  const source = process.env.TEST_KAFKA ?? ((await dockerAnswers()) ? 'testcontainers' : 'jvm');
  if (source === 'testcontainers') {
    globalThis.__E2E_BROKER__ = await startContainer(port);
  } else {
    globalThis.__E2E_BROKER__ = await startJvmBroker(globalConfig.rootDir, port);
  }
  process.env.KAFKA_BROKERS = `127.0.0.1:${port}`;
  log(`${source} broker serving on ${process.env.KAFKA_BROKERS} after ${Date.now() - started} ms`);
}

async function startJvmBroker(rootDir: string, port: number): Promise<StartedBroker> {
  const script = join(rootDir, 'scripts', 'kafka', 'broker.sh');
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_STATE_DIR: join(rootDir, '.cache', 'kafka', `e2e-${port}`),
  };
  await run('bash', [script, 'start'], { env: { ...env, KAFKA_FRESH: '1' }, timeout: 300_000 });
  const stop = async (): Promise<void> => {
    await run('bash', [script, 'stop'], { env });
    // Each run uses a fresh port and state directory: do not let them pile up.
    await rm(env.KAFKA_STATE_DIR, { recursive: true, force: true });
  };
  // A Ctrl-C skips globalTeardown; do not leave a JVM behind.
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  return { stop };
}

async function startContainer(port: number): Promise<StartedBroker> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // The host port is fixed so that the advertised listener is the address tests dial.
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return { stop: async () => void (await container.stop()) };
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * A port for the broker, with the next one free for its controller, below Linux's ephemeral
 * range so that outgoing connections cannot take the controller's port before it starts (as
 * scripts/free-port.ts; this file cannot import it, see the header).
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await bindable(port)) && (await bindable(port + 1))) return port;
  }
  throw new Error('no free pair of loopback ports below the ephemeral range in 50 attempts');
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function log(message: string): void {
  process.stderr.write(`\n[e2e] ${message}\n`);
}
