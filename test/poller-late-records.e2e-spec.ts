import { formatWallTime, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { expectExactlyOnce, expectedKeys } from './support/ground-truth.js';
import { testKafka } from './support/kafka.js';
import {
  isolatedEnv,
  readDeadLetters,
  readEvents,
  startTestPoller,
  waitFor,
  type TestPoller,
} from './support/poller-app.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';

/**
 * Near the present: records that show up in the API only after their window was read are still
 * published (the look-back re-read), identical records become distinct events, and invalid
 * records land in the dead-letter topic with their reason; nothing is published twice although
 * every poll re-reads the look-back.
 */
describe('late, identical and invalid records', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: TestPoller;
  const env = isolatedEnv('late');

  beforeAll(async () => {
    kafka = testKafka('late-e2e');
    simulator = await startTestSimulator({ seed: 'late', order: 'shuffled' });
  });

  afterAll(async () => {
    await poller?.close();
    await simulator?.close();
  });

  it('publishes late records once they appear, each email once, bad records to the DLQ', async () => {
    const now = new Date();
    const nowWall = wallTimeOf(now, ZONE);
    const on = (wall: number, n: number, change = {}) => cdr9Record(wall, n, change);
    await simulator.control.append([
      { record: on(nowWall - 300, 1) },
      { record: on(nowWall - 240, 2) },
      // Three identical emails: three events.
      { record: on(nowWall - 200, 3) },
      { record: on(nowWall - 200, 3) },
      { record: on(nowWall - 200, 3) },
      // Invalid: an impossible date filed under a real second, a number for a string, a missing field.
      {
        record: { ...on(nowWall - 180, 4), date: '2026-02-30 10:00:00' },
        indexDate: formatWallTime(nowWall - 180),
      },
      { record: on(nowWall - 170, 5, { subject: 42 }) },
      { record: (({ body: _b, ...rest }) => rest)(on(nowWall - 160, 6)) },
    ]);

    poller = await startTestPoller({
      ...env,
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TOKEN: 'dev-token',
      POLL_START_AT: new Date(now.getTime() - 600_000).toISOString(),
      POLL_LOOKBACK_SECONDS: '900',
    });
    await poller.caughtUp(60_000);

    // Dated before what was already read, visible only a few seconds from now.
    const visibleAt = new Date(Date.now() + 4000).toISOString();
    await simulator.control.append([
      { record: on(nowWall - 250, 7), visibleAt },
      { record: on(nowWall - 120, 8), visibleAt },
      { record: on(nowWall - 200, 3), visibleAt }, // a fourth copy of the identical email
    ]);
    await waitFor(
      () => Date.now() > Date.parse(visibleAt) + 500,
      10_000,
      'the late records to become visible',
    );
    const seenLate = new Date();
    await poller.caughtUp(60_000, seenLate);
    // A few more passes re-read the same look-back: they must publish nothing new.
    await poller.caughtUp(60_000, new Date(Date.now() + 2500));

    const truth = await simulator.control.truth();
    const expected = expectedKeys(env.WOLKVOX_SERVER, truth);
    const events = await readEvents(kafka, env.EMAIL_SENT_TOPIC);
    expectExactlyOnce(
      expected.events,
      events.map((e) => e.id),
      8,
    );
    const copies = events.filter((e) => e.data.record.to === 'cliente3@example.com');
    expect(copies.map((e) => e.data.occurrence).sort()).toEqual([1, 2, 3, 4]);

    const deadLetters = await readDeadLetters(kafka, env.EMAIL_DEAD_LETTER_TOPIC);
    expect(new Set(deadLetters.map((d) => d.key))).toEqual(expected.deadLetters);
    expect(deadLetters).toHaveLength(3);
    const reasons = deadLetters.map((d) => d.letter.reason).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^body: /),
      expect.stringMatching(/^date: must be a real local time/),
      expect.stringMatching(/^subject: /),
    ]);
  }, 180_000);
});
