import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import {
  isolatedEnv,
  expectEventsExactlyOnce,
  startTestPoller,
  waitFor,
  type TestPoller,
} from './support/poller-app.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const nowWall = () => wallTimeOf(new Date(), ZONE);

/**
 * `count` emails a minute apart from an hour ago, and the settings of a pod of the operation:
 * a 6 s lease, so that takeovers happen within a test.
 */
async function seedOperation(
  simulator: TestSimulator,
  env: Record<string, string>,
  count: number,
): Promise<Record<string, string>> {
  await simulator.control.append(
    Array.from({ length: count }, (_, i) => ({ record: cdr9Record(nowWall() - 3600 + i * 60, i) })),
  );
  return {
    ...env,
    WOLKVOX_BASE_URL: simulator.url,
    WOLKVOX_TOKEN: 'dev-token',
    POLL_START_AT: new Date(Date.now() - 2 * 3600_000).toISOString(),
    POLL_LOOKBACK_SECONDS: '300',
    POLL_LEASE_SECONDS: '6',
  };
}

/** A minute: its first look at the lease reads the progress topic, slow on a loaded machine. */
function onStandby(poller: TestPoller): Promise<void> {
  return waitFor(() => poller.status.standby !== undefined, 60_000, 'the poller to go on standby');
}

/**
 * A second poller of the same operation started beside a live one publishes nothing and calls
 * nothing: it waits on standby while the first holds the lease. When the first stops cleanly it
 * hands over, and the second carries on with no duplicate and no gap.
 */
describe('a second poller beside a live one', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let first: TestPoller | undefined;
  let second: TestPoller | undefined;
  const env = isolatedEnv('standby');

  beforeAll(async () => {
    kafka = testKafka('standby-e2e');
    simulator = await startTestSimulator({ seed: 'standby' });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await simulator?.close();
  });

  it('stays on standby, then takes over when the first hands over', async () => {
    const settings = await seedOperation(simulator, env, 50);
    first = await startTestPoller({ ...settings, POLLER_INSTANCE_ID: 'pod-a' });
    await first.caughtUp();

    second = await startTestPoller({ ...settings, POLLER_INSTANCE_ID: 'pod-b' });
    const secondStatus = second.status;
    await onStandby(second);
    expect(secondStatus.standby?.owner).toBe('pod-a');

    // The first keeps polling (its heartbeats hold the lease well past one lease period).
    const callsBefore = (await simulator.control.calls()).length;
    await simulator.control.append([{ record: cdr9Record(nowWall() - 2, 100) }]);
    await first.caughtUp(30_000, new Date(Date.now() + 8000));
    expect(secondStatus.standby?.owner).toBe('pod-a');
    expect(secondStatus.lastGoodPollAt).toBeUndefined();
    expect((await simulator.control.calls()).length).toBeGreaterThan(callsBefore);

    // A clean stop releases the lease: the second takes over and publishes what comes next.
    await first.close();
    first = undefined;
    await waitFor(
      () => secondStatus.lastGoodPollAt !== undefined,
      30_000,
      'the second poller to take over',
    );
    await simulator.control.append([{ record: cdr9Record(nowWall() - 1, 101) }]);
    await second.caughtUp(30_000, new Date(Date.now() + 1500));

    await expectEventsExactlyOnce(kafka, simulator, env, 52);
  }, 180_000);
});

/**
 * One cycle can outlast the lease: an API call may take up to 60 s. The owner renews its lease
 * while the cycle runs, so a standby started during a slow call keeps waiting instead of taking
 * the operation (and fencing a poller that was working).
 */
describe('a standby beside a poller in an API call longer than the lease', () => {
  let simulator: TestSimulator;
  let first: TestPoller | undefined;
  let second: TestPoller | undefined;
  const env = isolatedEnv('standby-slow');

  beforeAll(async () => {
    simulator = await startTestSimulator({ seed: 'standby-slow' });
  });

  afterAll(async () => {
    await simulator?.control.faults({ latencyMs: 0 });
    await second?.close();
    await first?.close();
    await simulator?.close();
  }, 90_000);

  it('keeps the standby waiting through the slow call', async () => {
    // A 9 s lease, renewed every 3 s: room for a loaded machine's late timers.
    const settings = { ...(await seedOperation(simulator, env, 20)), POLL_LEASE_SECONDS: '9' };
    first = await startTestPoller({ ...settings, POLLER_INSTANCE_ID: 'pod-a' });
    await first.caughtUp();

    // From now on every call takes 20 s, more than two leases.
    await simulator.control.faults({ latencyMs: 20_000 });
    await simulator.control.append([{ record: cdr9Record(nowWall() - 2, 100) }]);
    await waitFor(
      async () => (await simulator.control.status()).inFlight > 0,
      30_000,
      'the first poller to be inside a slow call',
    );
    const slowCallSeenAt = new Date();
    second = await startTestPoller({ ...settings, POLLER_INSTANCE_ID: 'pod-b' });
    const secondStatus = second.status;
    await onStandby(second);
    // The slow window is published by the first, which was never fenced.
    await first.caughtUp(60_000, slowCallSeenAt);
    expect(first.status.fenced).toBeUndefined();
    expect(secondStatus.standby?.owner).toBe('pod-a');
    expect(secondStatus.lastGoodPollAt).toBeUndefined();
  }, 120_000);
});
