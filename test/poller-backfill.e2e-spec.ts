import { parseQueryTime, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { compareStream, expectedKeys } from './support/ground-truth.js';
import { testKafka } from './support/kafka.js';
import {
  isolatedEnv,
  readDeadLetters,
  readEvents,
  startTestPoller,
  type TestPoller,
} from './support/poller-app.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const HOUR = 3600;
const DAY = 86_400;

/**
 * A first run over 40 days of history holding more than 150,000 emails, one hour of which holds
 * more than 60,000 (the API's cut), with identical duplicates and invalid records, served in no
 * particular order: every email ends up on the topic exactly once, every invalid record in the
 * dead-letter topic, and no call ever spans more than 31 days.
 */
describe('backfill of 40 days with a burst hour', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: TestPoller;
  const env = isolatedEnv('backfill');

  beforeAll(async () => {
    kafka = testKafka('backfill-e2e');
    const now = new Date();
    const end = wallTimeOf(now, ZONE) - 2 * HOUR;
    const start = end - 40 * DAY;
    simulator = await startTestSimulator({
      seed: 'backfill',
      order: 'shuffled',
      generation: {
        from: start,
        to: end,
        emailsPerHour: 100,
        bursts: [{ at: start + 20 * DAY + 9 * HOUR, count: 65_000, seconds: HOUR }],
        duplicateRate: 0.01,
        lateRate: 0,
        invalidRate: 0.002,
        largeBodyRate: 0,
      },
    });
    poller = await startTestPoller({
      ...env,
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TOKEN: 'dev-token',
      POLL_START_AT: new Date(now.getTime() - 41 * DAY * 1000).toISOString(),
    });
  }, 120_000);

  afterAll(async () => {
    await poller?.close();
    await simulator?.close();
  });

  it('publishes every record exactly once', async () => {
    await poller.caughtUp(600_000);
    const truth = await simulator.control.truth();
    expect(truth.length).toBeGreaterThan(150_000);
    const expected = expectedKeys(env.WOLKVOX_SERVER, truth);

    const events = await readEvents(kafka, env.EMAIL_SENT_TOPIC);
    const comparison = compareStream(
      expected.events,
      events.map((e) => e.id),
    );
    expect(comparison).toEqual({
      expected: new Set(expected.events).size,
      found: expected.events.length,
      duplicates: 0,
      lost: 0,
      unexpected: 0,
    });
    expect(expected.events.length).toBe(new Set(expected.events).size);

    const deadLetters = await readDeadLetters(kafka, env.EMAIL_DEAD_LETTER_TOPIC);
    expect(expected.deadLetters.size).toBeGreaterThan(0);
    expect(new Set(deadLetters.map((d) => d.key))).toEqual(expected.deadLetters);
    for (const { letter } of deadLetters) expect(letter.reason).toMatch(/\w+: /);

    const calls = await simulator.control.calls();
    for (const call of calls) {
      expect(call.status).not.toBe(400);
      expect(parseQueryTime(call.dateEnd!)! - parseQueryTime(call.dateIni!)!).toBeLessThan(
        31 * DAY,
      );
    }
    const cut = calls.filter((c) => c.returned !== undefined && c.returned >= 60_000);
    expect(cut.length).toBeGreaterThan(0); // the burst hour really was cut at least once
  }, 900_000);
});
