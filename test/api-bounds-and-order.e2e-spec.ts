import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { expectEventsExactlyOnce, isolatedEnv, startTestPoller } from './support/poller-app.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const LIMIT = 150;
const BOUNDS = ['inclusive', 'end-exclusive', 'start-exclusive', 'exclusive'] as const;
const ORDERS = ['oldest', 'newest', 'shuffled'] as const;

/**
 * Wolkvox documents neither whether date_ini and date_end are inclusive nor the order of a
 * response (and so which records a cut keeps). The simulator plays each reading; under every one
 * the poller publishes each email exactly once (read_committed, against the ground truth), with
 * records on every second where windows start, end and are split.
 */
describe('whatever the API makes of its bounds and order', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let count = 0;
  const start = new Date(Date.now() - 2 * 3600_000);

  beforeAll(async () => {
    kafka = testKafka('bounds-e2e');
    simulator = await startTestSimulator({ seed: 'bounds', truncationLimit: LIMIT });
    const startWall = wallTimeOf(start, ZONE);
    const nowWall = wallTimeOf(new Date(), ZONE);
    const items: Array<{ record: Record<string, unknown> }> = [];
    const add = (wall: number): void => void items.push({ record: cdr9Record(wall, count++) });
    // The first window's first second.
    add(startWall);
    // Steady traffic, one email every 20 s.
    for (let wall = startWall + 7; wall < nowWall - 300; wall += 20) add(wall);
    // A burst with an email on every second for 12 minutes, three a second for one of them:
    // the API's cut of 150 splits windows there, and every split falls on a second with records.
    const burst = startWall + 3600;
    for (let s = 0; s < 720; s++) add(burst + s);
    for (let s = 0; s < 60; s++) for (let i = 0; i < 2; i++) add(burst + 300 + s);
    // Every second of the last five minutes, where passes end.
    for (let wall = nowWall - 300; wall <= nowWall; wall++) add(wall);
    await simulator.control.append(items);
  });

  afterAll(async () => {
    await simulator?.close();
  });

  const cases = BOUNDS.flatMap((bounds) => ORDERS.map((order) => ({ bounds, order })));

  it.each(cases)(
    'publishes every email exactly once: bounds $bounds, $order first',
    async ({ bounds, order }) => {
      await simulator.control.settings({ bounds, order });
      const callsBefore = (await simulator.control.calls()).length;
      const env = isolatedEnv(`bounds-${bounds}-${order}`);
      const poller = await startTestPoller({
        ...env,
        WOLKVOX_BASE_URL: simulator.url,
        WOLKVOX_TOKEN: 'dev-token',
        WOLKVOX_MAX_RECORDS: String(LIMIT),
        POLL_START_AT: start.toISOString(),
        POLL_LOOKBACK_SECONDS: '60',
      });
      try {
        await poller.caughtUp(120_000);
      } finally {
        await poller.close();
      }
      const calls = (await simulator.control.calls()).slice(callsBefore);
      // The cut really happened, and no call was refused.
      expect(calls.some((c) => c.returned === LIMIT)).toBe(true);
      expect(calls.filter((c) => c.status !== 200 && c.status !== 404)).toEqual([]);
      await expectEventsExactlyOnce(kafka, simulator, env, count);
    },
    180_000,
  );

  it.each(['empty-array', 'no-data'] as const)(
    'reads an empty window answered as a 200 that found 0 records (%s) as empty, and goes on',
    async (emptyAnswer) => {
      const quiet = await startTestSimulator({ seed: `empty-${emptyAnswer}`, emptyAnswer });
      try {
        const nowWall = wallTimeOf(new Date(), ZONE);
        await quiet.control.append(
          Array.from({ length: 10 }, (_, n) => ({ record: cdr9Record(nowWall - 1800 + n, n) })),
        );
        const env = isolatedEnv(`empty-${emptyAnswer}`);
        const poller = await startTestPoller({
          ...env,
          WOLKVOX_BASE_URL: quiet.url,
          WOLKVOX_TOKEN: 'dev-token',
          POLL_START_AT: new Date(Date.now() - 3600_000).toISOString(),
          POLL_LOOKBACK_SECONDS: '60',
        });
        try {
          await poller.caughtUp(60_000);
          // The next passes read only the quiet look-back: empty windows, in this wording.
          await poller.caughtUp(60_000, new Date(Date.now() + 1500));
        } finally {
          await poller.close();
        }
        const calls = await quiet.control.calls();
        expect(calls.some((c) => c.status === 200 && c.outcome === 'empty')).toBe(true);
        await expectEventsExactlyOnce(kafka, quiet, env, 10);
      } finally {
        await quiet.close();
      }
    },
    120_000,
  );
});
