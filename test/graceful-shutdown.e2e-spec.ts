import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { compareStream, expectedKeys } from './support/ground-truth.js';
import { testBrokers, testKafka } from './support/kafka.js';
import { isolatedEnv, readEvents } from './support/poller-app.js';
import { PollerProcess } from './support/poller-process.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const SHUTDOWN_TIMEOUT_SECONDS = 8;

/**
 * SIGTERM in the middle of a backfill: the cycle in flight finishes or is abandoned whole, the
 * process exits cleanly within the shutdown timeout, and a restart completes the stream with no
 * duplicate and no gap.
 */
describe('graceful shutdown', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;
  const env = isolatedEnv('sigterm');

  beforeAll(async () => {
    kafka = testKafka('sigterm-e2e');
    const end = wallTimeOf(new Date(), ZONE) - 3600;
    simulator = await startTestSimulator({
      seed: 'sigterm',
      // Small cuts and slow answers: many windows, each call in flight for a while.
      truncationLimit: 2000,
      faults: { latencyMs: 300 },
      generation: {
        from: end - 10 * 86_400,
        to: end,
        emailsPerHour: 60,
        lateRate: 0,
        invalidRate: 0,
        duplicateRate: 0.01,
      },
    });
  });

  afterAll(async () => {
    await poller?.stop(1000);
    await simulator?.close();
  });

  const settings = (): Record<string, string> => ({
    ...env,
    KAFKA_BROKERS: testBrokers().join(','),
    WOLKVOX_SERVER: env.WOLKVOX_SERVER,
    WOLKVOX_BASE_URL: simulator.url,
    WOLKVOX_TOKEN: 'dev-token',
    WOLKVOX_MAX_RECORDS: '2000',
    POLL_START_AT: new Date(Date.now() - 11 * 86_400_000).toISOString(),
    POLL_INTERVAL_SECONDS: '1',
    POLL_SETTLE_SECONDS: '0',
    POLLER_INSTANCE_ID: 'pod-a',
    SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
    LOG_LEVEL: 'debug',
  });

  it('stops within the timeout mid-backfill and a restart completes the stream exactly once', async () => {
    poller = await PollerProcess.start(settings());
    await poller.waitFor(
      async () => Promise.resolve(/published window/.test(poller!.stdout)),
      60_000,
      'a first window',
    );

    const asked = Date.now();
    const exit = await poller.stop(60_000);
    const tookMs = Date.now() - asked;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan((SHUTDOWN_TIMEOUT_SECONDS + 5) * 1000);
    expect(poller.stdout).not.toMatch(/caught up/); // it really was stopped mid-backfill

    poller = await PollerProcess.start(settings());
    await poller.waitFor(
      async () => Promise.resolve(/caught up/.test(poller!.stdout)),
      180_000,
      'the restart to catch up',
    );
    await poller.stop();

    const expected = expectedKeys(env.WOLKVOX_SERVER, await simulator.control.truth());
    const events = await readEvents(kafka, env.EMAIL_SENT_TOPIC);
    const comparison = compareStream(
      expected.events,
      events.map((e) => e.id),
    );
    expect(comparison).toMatchObject({ duplicates: 0, lost: 0, unexpected: 0 });
    expect(comparison.found).toBe(expected.events.length);
  }, 300_000);
});
