import { rmSync } from 'node:fs';
import { wallTimeOf } from '@app/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { freeBrokerPort } from '../scripts/free-port.js';
import { LocalBroker } from './support/local-broker.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import {
  checkStream,
  exactlyOnce,
  isolatedEnv,
  logged,
  LONG,
  metrics,
  metricValue,
  note,
  pollerEnv,
  recordRow,
  secondsSince,
  waitForCursorPast,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

/**
 * Longer than kafkajs's requestTimeout (30 s, apps/poller/src/kafka/kafka-factory.ts), so the
 * requests of the cycle in flight time out rather than wait for the broker. The long variant
 * also outlasts the transaction timeout (120 s): the broker comes back with a transaction of the
 * poller's that is past its time.
 */
const OUTAGE_MS = LONG ? 150_000 : 45_000;

/**
 * docs/CONTRACT.md section 4, "through broker outages": the broker stops while a cycle is fetching, stays
 * down longer than the producer's timeouts, and comes back. The same poller process recovers by
 * itself; emails sent during the outage are published after it, nothing twice; /health/ready
 * says 503 (Kafka) throughout the outage and 200 after.
 *
 * The broker is this test's own (the shared one belongs to global setup and other tests).
 */
describe('broker outage in the middle of a cycle', () => {
  const operation = isolatedEnv('outage');
  let broker: LocalBroker;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;
  let startAt: Date;

  beforeAll(async () => {
    broker = new LocalBroker(await freeBrokerPort());
    await broker.start({ fresh: true });
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    // From before the first email of the history.
    startAt = new Date(now.getTime() - 6 * 3600_000 - 60_000);
    simulator = await startTestSimulator({
      seed: 'outage',
      // Until the broker stops, every call takes 1.5 s or more: a cycle spends most of its time
      // fetching, and the broker can be stopped while one is.
      faults: { latencyMs: 1500, latencyJitterMs: 500 },
      generation: { from: end - 6 * 3600, to: end - 1, emailsPerHour: 600, lateRate: 0 },
      livePerSecond: 20,
    });
  }, 300_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
    await broker?.stop();
    if (broker) rmSync(broker.stateDir, { recursive: true, force: true });
  }, 120_000);

  it(`recovers from ${OUTAGE_MS / 1000} s without the broker, with no gap and no duplicate`, async () => {
    const startedAt = Date.now();
    poller = await PollerProcess.start(
      pollerEnv(simulator, operation, {
        KAFKA_BROKERS: broker.address,
        POLL_START_AT: startAt.toISOString(),
        POLL_INTERVAL_SECONDS: '2',
        POLL_LOOKBACK_SECONDS: '120',
        // A second is read once it is over: live emails are never read half-written.
        POLL_SETTLE_SECONDS: '1',
      }),
    );
    await poller.waitForReady(200, 120_000);
    await waitForCursorPast(poller, new Date(Date.now() - 3000));

    // In the middle of a cycle: a call of the poller's is in flight, its publish comes next.
    await poller.waitFor(
      () => Promise.resolve(simulator.state.inFlight > 0),
      30_000,
      'a call in flight',
    );
    const stoppedAt = Date.now();
    await broker.stop();
    // The API is quick again for the rest of the test (the call in flight keeps its latency).
    await simulator.control.faults({ latencyMs: 0, latencyJitterMs: 0 });
    note('outage', `broker stopped in ${Date.now() - stoppedAt} ms`);
    const down = await poller.waitForReady<ReadyBody>(503, 60_000);
    expect(down.body.details.kafka.status).toBe('down');

    // The outage itself: readiness is watched every second for its whole length.
    const answers: number[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      answers.push((await poller.get('/health/ready')).status);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const publishFailures = logged(poller, 'Kafka: ').length;

    const restartedAt = Date.now();
    await broker.start();
    const up = await poller.waitForReady<ReadyBody>(200, 180_000);
    const recoveredInMs = Date.now() - restartedAt;
    note('outage', `ready again ${recoveredInMs} ms after the broker returned`);
    expect(up.body.details.kafka.status).toBe('up');

    // Emails keep coming for a while after the recovery; then the stream is closed and read.
    await waitForCursorPast(poller, new Date());
    await simulator.control.live(0);
    await waitForCursorPast(poller, new Date(Date.now() + 1000));
    const text = await metrics(poller);
    await poller.stop();

    const duringOutage = (await simulator.control.truth()).filter((t) => {
      const visible = Date.parse(t.visibleAt);
      return visible >= stoppedAt && visible < restartedAt;
    }).length;
    const check = await checkStream(kafkaOf(broker), operation, simulator);
    recordRow({
      id: 'broker-outage',
      order: 2,
      fault: `broker stopped mid-cycle for ${OUTAGE_MS / 1000} s`,
      test: 'test/broker-outage.e2e-spec.ts',
      injected: 1,
      runs: 1,
      durationSeconds: secondsSince(startedAt),
      notes: [
        `stopped while an API call was in flight; ${duringOutage} emails appeared during the outage (live traffic, 20/s)`,
        `/health/ready: 503 in ${answers.filter((s) => s === 503).length} of ${answers.length} probes during the outage; 200 again ${Math.round(recoveredInMs / 1000)} s after the broker returned`,
        `${publishFailures} failed publishes logged; ${metricValue(text, 'wolkvox_poller_cycles_total', { outcome: 'publish-failed' }) ?? 0} cycles counted as publish-failed; the process never restarted`,
      ],
      check,
    });

    expect(check.total).toEqual(exactlyOnce(check.total.expected));
    expect(duringOutage).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 503)).toBe(true);
    expect(publishFailures).toBeGreaterThan(0);
  }, 600_000);
});

function kafkaOf(broker: LocalBroker): Kafka {
  return new Kafka({
    clientId: 'outage-e2e',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
  });
}
