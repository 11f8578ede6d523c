import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testBrokers, testKafka } from './support/kafka.js';
import { expectEventsExactlyOnce, isolatedEnv } from './support/poller-app.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import { SecretVolume } from './support/secret-volume.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const OLD_TOKEN = 'wv-OLD-token-5c1f0e77';
const NEW_TOKEN = 'wv-NEW-token-a93d2791';

function note(message: string): void {
  process.stderr.write(`[token-rotation.e2e] ${message}\n`);
}

/** `n` emails dated the last `n` seconds, numbered from `first`. */
function emailsNow(first: number, n: number) {
  const nowWall = wallTimeOf(new Date(), ZONE);
  return Array.from({ length: n }, (_, i) => ({ record: cdr9Record(nowWall - i, first + i) }));
}

/**
 * The admins regenerate the token while the poller runs: Wolkvox refuses the old one at once,
 * and the new one reaches the pod as an update of the Secret mounted as WOLKVOX_TOKEN_FILE (a
 * new timestamped directory and an atomic swap of `..data`, never a write to the file). The same
 * process polls again with the new token, and no email of the run is missing or doubled.
 */
describe('a token rotated through WOLKVOX_TOKEN_FILE', () => {
  const env = isolatedEnv('token-rotation');
  let kafka: Kafka;
  let simulator: TestSimulator;
  let volume: SecretVolume;
  let poller: PollerProcess;
  let emails = 0;

  async function append(items: ReturnType<typeof emailsNow>): Promise<void> {
    await simulator.control.append(items);
    emails += items.length;
  }

  const refusedCalls = async () =>
    (await simulator.control.calls()).filter((c) => c.token === 'wrong').length;

  beforeAll(async () => {
    kafka = testKafka('token-rotation-e2e');
    simulator = await startTestSimulator({ seed: 'token-rotation', token: OLD_TOKEN });
    volume = SecretVolume.create({ token: `${OLD_TOKEN}\n` });
    const nowWall = wallTimeOf(new Date(), ZONE);
    await append(
      Array.from({ length: 40 }, (_, i) => ({ record: cdr9Record(nowWall - 1800 + i * 40, i) })),
    );
    poller = await PollerProcess.start({
      ...env,
      WOLKVOX_TOKEN_FILE: volume.path('token'),
      WOLKVOX_BASE_URL: simulator.url,
      KAFKA_BROKERS: testBrokers().join(','),
      POLL_START_AT: new Date(Date.now() - 40 * 60_000).toISOString(),
      POLL_INTERVAL_SECONDS: '2',
      POLL_SETTLE_SECONDS: '0',
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
    volume?.remove();
  }, 60_000);

  it('polls with the token read from the file', async () => {
    await poller.waitForLive();
    await poller.waitForReady(200, 120_000);
  }, 150_000);

  it('after the rotation is refused: not ready, saying where the new token goes, and calls stop', async () => {
    await simulator.control.rotateToken(NEW_TOKEN);
    await append(emailsNow(100, 10));
    const { body } = await poller.waitForReady<ReadyBody>(
      503,
      60_000,
      (ready) => ready.details.wolkvox?.status === 'down',
    );
    expect(body.details.wolkvox.message).toContain('Wolkvox refused the token');
    expect(body.details.wolkvox.message).toContain(`put the new token in ${volume.path('token')}`);
    // Several poll intervals later, still the one refused call: no retry storm.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await refusedCalls()).toBe(1);
  }, 90_000);

  it('resumes with the new token once the Secret volume is updated, with no restart', async () => {
    const callsBefore = (await simulator.control.calls()).length;
    volume.update({ token: `${NEW_TOKEN}\n` });
    const updatedAt = Date.now();
    // Without the re-read the refused token would be tried again only after 15 minutes.
    const { body } = await poller.waitForReady<ReadyBody>(
      200,
      60_000,
      (ready) => ready.details.wolkvox?.status === 'up',
    );
    note(`ready again ${Date.now() - updatedAt} ms after the volume was updated`);
    expect(body.status).toBe('ok');

    await append(emailsNow(200, 10));
    await poller.waitForPublished(emails, 60_000);
    await expectEventsExactlyOnce(kafka, simulator, env, emails);

    const since = (await simulator.control.calls()).slice(callsBefore);
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((call) => call.token === 'valid')).toBe(true);
    expect(await refusedCalls()).toBe(1);
  }, 150_000);

  it('said so in one log line and one counter, and showed neither token anywhere', async () => {
    const metrics = (await poller.get<string>('/metrics')).body;
    expect(metrics).toMatch(
      /^wolkvox_poller_secret_changes_total\{variable="WOLKVOX_TOKEN_FILE",operation="[^"]+"\} 1$/m,
    );
    const ready = JSON.stringify((await poller.get('/health/ready')).body);

    const lines = poller.logLines();
    const secrets = lines.filter((l) => l.context === 'Secrets').map((l) => String(l.msg));
    expect(secrets).toEqual([
      `WOLKVOX_TOKEN_FILE: a new value was read from ${volume.path('token')}; the next call to Wolkvox uses it`,
    ]);
    // One process all along: it started listening once.
    expect(lines.filter((l) => l.context === 'Http')).toHaveLength(1);

    for (const text of [poller.stdout, poller.stderr, metrics, ready]) {
      expect(text).not.toContain(OLD_TOKEN);
      expect(text).not.toContain(NEW_TOKEN);
    }
  }, 30_000);
});
