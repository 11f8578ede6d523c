import { parseQueryTime, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import {
  expectEventsExactlyOnce,
  isolatedEnv,
  startTestPoller,
  type TestPoller,
} from './support/poller-app.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';

/**
 * A restart resumes from the checkpoint in Kafka: no duplicate of what the first run published,
 * no gap for what arrived while it was down (late records dated before where it stopped
 * included), and no re-read of history before the look-back. Also when the restart switches
 * the Kafka client (KAFKA_CLIENT), either way: the checkpoint does not depend on the client.
 */
describe.each([
  ['kafkajs', 'kafkajs'],
  ['kafkajs', 'platformatic'],
  ['platformatic', 'kafkajs'],
])('restart from %s onto %s', (before, after) => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: TestPoller | undefined;
  const env = isolatedEnv(`restart-${before}-${after}`);

  beforeAll(async () => {
    kafka = testKafka('restart-e2e');
    simulator = await startTestSimulator({ seed: `restart-${before}-${after}` });
  });

  afterAll(async () => {
    await poller?.close();
    await simulator?.close();
  });

  it('resumes from the checkpoint with no duplicate and no gap', async () => {
    const start = new Date(Date.now() - 3 * 86_400_000);
    const nowWall = wallTimeOf(new Date(), ZONE);
    const history = Array.from({ length: 500 }, (_, i) => ({
      record: cdr9Record(nowWall - 2 * 86_400 + i * 300, i),
    }));
    await simulator.control.append(history);
    const settings = {
      ...env,
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TOKEN: 'dev-token',
      POLL_START_AT: start.toISOString(),
      POLL_LOOKBACK_SECONDS: '600',
      POLLER_INSTANCE_ID: 'pod-a',
    };

    poller = await startTestPoller({ ...settings, KAFKA_CLIENT: before });
    await poller.caughtUp();
    await poller.close();
    poller = undefined;
    const firstRunCalls = (await simulator.control.calls()).length;

    // While it is down: new emails, and one dated a few minutes back (inside the look-back).
    const laterWall = wallTimeOf(new Date(), ZONE);
    await simulator.control.append([
      { record: cdr9Record(laterWall - 120, 1000) },
      { record: cdr9Record(laterWall - 5, 1001) },
    ]);

    poller = await startTestPoller({ ...settings, KAFKA_CLIENT: after });
    await poller.caughtUp();

    await expectEventsExactlyOnce(kafka, simulator, env, 502);

    // The second run started from the checkpoint, not from POLL_START_AT.
    const secondRun = (await simulator.control.calls()).slice(firstRunCalls);
    expect(secondRun.length).toBeGreaterThan(0);
    const earliest = Math.min(...secondRun.map((c) => parseQueryTime(c.dateIni!)!));
    expect(earliest).toBeGreaterThan(wallTimeOf(start, ZONE) + 86_400);
  }, 180_000);
});
