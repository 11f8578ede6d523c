import { rmSync } from 'node:fs';
import { freeBrokerPort } from '../scripts/free-port.js';
import { testBrokers } from './support/kafka.js';
import { LocalBroker } from './support/local-broker.js';
import { isolatedEnv } from './support/poller-app.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

const TOKEN = 'dev-token';

function pollerEnv(simulator: TestSimulator, brokers: string, token: string, name: string) {
  return {
    ...isolatedEnv(name),
    WOLKVOX_TOKEN: token,
    WOLKVOX_BASE_URL: simulator.url,
    KAFKA_BROKERS: brokers,
    POLL_START_AT: new Date(Date.now() - 30 * 60_000).toISOString(),
    POLL_INTERVAL_SECONDS: '2',
    POLL_SETTLE_SECONDS: '0',
  };
}

function note(message: string): void {
  process.stderr.write(`[health.e2e] ${message}\n`);
}

let simulator: TestSimulator;
beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000);
  simulator = await startTestSimulator({
    generation: { from: now - 5 * 3600, to: now, emailsPerHour: 120, lateRate: 0 },
  });
}, 60_000);
afterAll(async () => {
  await simulator?.close();
});

/**
 * Readiness through a broker outage, against a broker of this test's own (the shared one
 * belongs to global setup): 503 before the first checkpoint load, 200 after, 503 while the
 * broker is stopped, 200 once it is back.
 */
describe('readiness follows the checkpoint and the broker', () => {
  let broker: LocalBroker;
  let poller: PollerProcess;

  beforeAll(async () => {
    broker = new LocalBroker(await freeBrokerPort());
  });
  afterAll(async () => {
    await poller?.stop();
    await broker?.stop();
    if (broker) rmSync(broker.stateDir, { recursive: true, force: true });
  }, 90_000);

  it('is live at once, and not ready while the checkpoint cannot be loaded', async () => {
    // The broker is not started yet: the checkpoint cannot be loaded.
    poller = await PollerProcess.start(pollerEnv(simulator, broker.address, TOKEN, 'health'));
    await poller.waitForLive();
    const ready = await poller.get<ReadyBody>('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.checkpoint).toMatchObject({
      status: 'down',
      message: expect.stringMatching(/not been loaded|read again/),
    });
    expect(ready.body.details.kafka).toMatchObject({
      status: 'down',
      message: expect.stringContaining('the brokers did not answer'),
    });
  }, 90_000);

  it('is ready once the broker serves and the checkpoint is loaded', async () => {
    await broker.start({ fresh: true });
    const started = Date.now();
    const ready = await poller.waitForReady(200, 180_000);
    note(`ready ${Date.now() - started} ms after the broker started`);
    expect(ready.body.details.checkpoint).toMatchObject({
      status: 'up',
      cursor: expect.any(String),
    });
    expect(ready.body.details.kafka).toMatchObject({ status: 'up', brokers: 1 });
    expect(ready.body.details.polling.status).toBe('up');
    expect(ready.body.details.wolkvox.status).toBe('up');
  }, 300_000);

  it('is not ready while the broker is stopped, saying so, and ready again once it returns', async () => {
    await broker.stop();
    const stoppedAt = Date.now();
    const down = await poller.waitForReady(503, 60_000);
    note(`not ready ${Date.now() - stoppedAt} ms after the broker stopped`);
    expect(down.body.details.kafka).toMatchObject({
      status: 'down',
      message: expect.stringContaining('the brokers did not answer'),
    });

    await broker.start();
    const restartedAt = Date.now();
    const up = await poller.waitForReady(200, 180_000);
    note(`ready again ${Date.now() - restartedAt} ms after the broker returned`);
    expect(up.body.status).toBe('ok');
  }, 400_000);

  it('logged the changes of readiness as JSON lines, without the token', () => {
    const lines = poller.logLines();
    const health = lines
      .filter((l) => l.context === 'Health')
      .map((l) => `${String(l.level)} ${String(l.msg)}`);
    expect(health).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warn not ready \(.*checkpoint: /),
        'info ready',
        expect.stringMatching(/^warn not ready \(.*kafka: the brokers did not answer/),
      ]),
    );
    expect(lines.some((l) => l.context === 'kafkajs')).toBe(true);
  });
});

describe('a token Wolkvox refuses', () => {
  const REFUSED = 'refused-SEKRET-93be01';
  let poller: PollerProcess;
  afterAll(async () => {
    await poller?.stop();
  }, 60_000);

  it('makes ready 503 with the reason, after one call and no retry storm', async () => {
    poller = await PollerProcess.start(
      pollerEnv(simulator, testBrokers().join(','), REFUSED, 'refused'),
    );
    await poller.waitForLive();
    const { body } = await poller.waitForReady(
      503,
      60_000,
      (ready) => ready.details.wolkvox?.status === 'down',
    );
    expect(body.details.wolkvox.message).toContain('Wolkvox refused the token');
    // Kafka and the checkpoint are fine: only the source is the reason.
    expect(body.details.checkpoint.status).toBe('up');
    expect(body.details.kafka.status).toBe('up');

    const refusedCalls = (await simulator.control.calls()).filter((c) => c.token === 'wrong');
    expect(refusedCalls).toHaveLength(1);
    const metrics = (await poller.get<string>('/metrics')).body;
    expect(metrics).toMatch(
      /^wolkvox_poller_api_calls_total\{outcome="token-rejected",status="403",operation="[^"]+"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^wolkvox_poller_cycles_total\{outcome="source-failed",reason="token-rejected",operation="[^"]+"\} 1$/m,
    );

    const everything = `${poller.stdout}${poller.stderr}${JSON.stringify(body)}${metrics}`;
    expect(everything).not.toContain(REFUSED);
    expect(poller.logLines().some((l) => String(l.msg).includes('the token was refused'))).toBe(
      true,
    );
  }, 120_000);
});

describe('a report that answers 404 for ever', () => {
  let empty: TestSimulator;
  let poller: PollerProcess;
  afterAll(async () => {
    await poller?.stop();
    await empty?.close();
  }, 60_000);

  it('is warned of once a week of dates found nothing, and shown degraded, still ready', async () => {
    const now = Math.floor(Date.now() / 1000);
    // An operation without a single email: what a server lacking report cdr_9 looks like too.
    empty = await startTestSimulator({
      generation: { from: now - 10 * 86_400, to: now, emailsPerHour: 0, lateRate: 0 },
    });
    poller = await PollerProcess.start({
      ...pollerEnv(empty, testBrokers().join(','), TOKEN, 'not-found'),
      POLL_START_AT: new Date((now - 10 * 86_400) * 1000).toISOString(),
    });
    await poller.waitForLive();
    const { body } = await poller.waitForReady(
      200,
      60_000,
      (ready) => ready.details.wolkvox?.status === 'degraded',
    );
    expect(body.details.wolkvox.message).toContain('may lack report cdr_9');
    const calls = await empty.control.calls();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.status === 404)).toBe(true);
    const warnings = poller
      .logLines()
      .filter((l) => String(l.msg).includes('Validate dates entered'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe('warn');
  }, 120_000);
});
