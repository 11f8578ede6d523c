import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import {
  expectEventsExactlyOnce,
  isolatedEnv,
  startTestPoller,
  waitFor,
} from './support/poller-app.js';
import { PollerProcess } from './support/poller-process.js';
import { crash, pidOf, pollerEnv, ZONE } from './support/reliability.js';
import {
  cdr9Record,
  startTestSimulator,
  type CallLogEntry,
  type TestSimulator,
} from './support/simulator.js';

/** The server runs a call on for this long after its client gave up on it. */
const SERVER_HOLD_MS = 3000;

/**
 * Wolkvox may still count a call the client gave up on (a timeout, a reset, a killed caller)
 * against the token's simultaneous requests. The simulator plays that (abandonedHoldMs); the
 * poller keeps such a call's slot for WOLKVOX_ABANDONED_CALL_SECONDS, so it never causes
 * "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN" itself, at either concurrency.
 */
describe('calls given up on', () => {
  let kafka: Kafka;
  const simulators: TestSimulator[] = [];

  beforeAll(() => {
    kafka = testKafka('abandoned-e2e');
  });

  afterAll(async () => {
    for (const simulator of simulators) await simulator.close();
  });

  async function simulatorWith(
    maxConcurrency: number,
    holdMs = SERVER_HOLD_MS,
  ): Promise<TestSimulator> {
    const simulator = await startTestSimulator({
      seed: `abandoned-${maxConcurrency}`,
      maxConcurrency,
      abandonedHoldMs: holdMs,
      faults: { hangMs: 20_000 },
    });
    simulators.push(simulator);
    const nowWall = wallTimeOf(new Date(), ZONE);
    await simulator.control.append(
      Array.from({ length: 30 }, (_, n) => ({ record: cdr9Record(nowWall - 600 + n * 10, n) })),
    );
    return simulator;
  }

  const refusedForConcurrency = (calls: CallLogEntry[]): number =>
    calls.filter((c) => c.outcome === 'too-many-simultaneous').length;

  async function pollThroughFaults(
    simulator: TestSimulator,
    concurrency: number,
    graceSeconds: number,
  ): Promise<{ refused: number; env: Record<string, string> }> {
    // Two calls that outlive the client's 1 s timeout and one reset: each leaves a call running.
    await simulator.control.faults({ queue: ['hang', 'reset', 'hang'] });
    const env = isolatedEnv(`abandoned-${concurrency}-${graceSeconds}`);
    const poller = await startTestPoller({
      ...env,
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TOKEN: 'dev-token',
      WOLKVOX_MAX_CONCURRENCY: String(concurrency),
      WOLKVOX_CALL_TIMEOUT_SECONDS: '1',
      WOLKVOX_ABANDONED_CALL_SECONDS: String(graceSeconds),
      POLL_START_AT: new Date(Date.now() - 900_000).toISOString(),
    });
    try {
      await poller.caughtUp(90_000);
    } finally {
      await poller.close();
    }
    return { refused: refusedForConcurrency(await simulator.control.calls()), env };
  }

  it.each([1, 2])(
    'never causes a refusal for simultaneous requests, at WOLKVOX_MAX_CONCURRENCY=%i',
    async (concurrency) => {
      const simulator = await simulatorWith(concurrency);
      const { refused, env } = await pollThroughFaults(simulator, concurrency, 5);
      expect(refused).toBe(0);
      await expectEventsExactlyOnce(kafka, simulator, env, 30);
    },
    120_000,
  );

  it('is refused without the grace: what the grace prevents', async () => {
    const simulator = await simulatorWith(1);
    const { refused, env } = await pollThroughFaults(simulator, 1, 0);
    expect(refused).toBeGreaterThan(0);
    await expectEventsExactlyOnce(kafka, simulator, env, 30);
  }, 120_000);

  it('waits after a restart for the calls a killed poller left running', async () => {
    // Longer than a poller takes to start again, so that a restart calling at once is refused.
    const simulator = await simulatorWith(1, 8000);
    const env = pollerEnv(simulator, isolatedEnv('abandoned-kill'), {
      WOLKVOX_CALL_TIMEOUT_SECONDS: '30',
      WOLKVOX_ABANDONED_CALL_SECONDS: '8',
      POLL_INTERVAL_SECONDS: '1',
      POLLER_INSTANCE_ID: 'pod-a',
      POLL_LEASE_SECONDS: '6',
      POLL_START_AT: new Date(Date.now() - 900_000).toISOString(),
    });
    const first = await PollerProcess.start(env);
    await first.waitForReady(200);
    // The next call hangs on the server; the poller is killed while it waits for it.
    await simulator.control.faults({ queue: ['hang'] });
    const before = (await simulator.control.calls()).length;
    await waitFor(
      async () => (await simulator.control.calls()).slice(before).some((c) => c.fault === 'hang'),
      30_000,
      'a call to hang',
    );
    await crash(first, await pidOf(first));
    const second = await PollerProcess.start(env);
    try {
      await second.waitForReady(200);
      await waitFor(
        async () => (await simulator.control.calls()).length > before + 2,
        30_000,
        'the restarted poller to call',
      );
    } finally {
      await second.stop();
    }
    expect(refusedForConcurrency(await simulator.control.calls())).toBe(0);
    await expectEventsExactlyOnce(kafka, simulator, env, 30);
  }, 120_000);
});
