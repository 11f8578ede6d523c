import { formatWallTime, startOfNextLocalDay, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { expectExactlyOnce, expectedKeys } from './support/ground-truth.js';
import { testKafka } from './support/kafka.js';
import { readEvents } from './support/poller-app.js';
import { CLI_MAIN, PollerProcess, runToExit } from './support/poller-process.js';
import {
  crash,
  isolatedEnv,
  metrics,
  metricValue,
  pidOf,
  pollerEnv,
  ZONE,
} from './support/reliability.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const HOUR = 3600;
const LATE = 'wolkvox_poller_reconcile_late_records_total';

/**
 * Records that show up hours after their date, long after the live poll's look-back passed
 * them, are published by the daily reconciliation pass, on its schedule (POLL_RECONCILE_AT set
 * to the next minute on the operation's clock), each exactly once; a poller killed in the middle
 * of the pass runs it again after its restart and publishes nothing twice.
 */
describe('the daily reconciliation pass', () => {
  const operation = isolatedEnv('reconcile');
  let kafka: Kafka;
  let simulator: TestSimulator;
  const pollers: PollerProcess[] = [];

  beforeAll(async () => {
    kafka = testKafka('reconcile-e2e');
    simulator = await startTestSimulator({ seed: 'reconcile', order: 'shuffled' });
    await simulator.control.reset('empty');
  });

  afterAll(async () => {
    for (const poller of pollers) await poller.stop().catch(() => undefined);
    await simulator?.close();
  });

  it('publishes records found late exactly once, across a kill in the middle of the pass', async () => {
    const startedAt = Date.now();
    const nowWall = wallTimeOf(new Date(startedAt), ZONE);
    // Three days of traffic, one email every two hours, visible at once.
    await simulator.control.append(
      Array.from({ length: 36 }, (_, i) => ({
        record: cdr9Record(nowWall - (i + 1) * 2 * HOUR - 60, i),
      })),
    );
    // Late ones, hours old, that the API returns only once the live poll has passed their dates:
    // appended below, when the live poll has published the 36 (a fixed delay here raced the
    // catch-up on a loaded machine, and the live poll found them itself).
    const late = [60, 40, 20].map((hoursAgo, i) => ({
      record: cdr9Record(nowWall - hoursAgo * HOUR - 17, 100 + i),
    }));
    // Each call takes a while, so the pass spans several seconds of windows to be killed in.
    await simulator.control.faults({ latencyMs: 700 });

    // The next whole minute at least 45 s away, on the operation's clock.
    const at = Math.ceil((nowWall + 45) / 60) * 60;
    const env = pollerEnv(simulator, operation, {
      POLL_START_AT: new Date(startedAt - (3 * 24 + 1) * HOUR * 1000).toISOString(),
      POLL_INTERVAL_SECONDS: '2',
      POLL_LOOKBACK_SECONDS: '60',
      POLL_RECONCILE_DAYS: '3',
      POLL_RECONCILE_AT: formatWallTime(at).slice(11, 16),
      // Windows of a few records: the three late ones lie in different windows of the pass.
      WOLKVOX_MAX_RECORDS: '10',
      POLLER_INSTANCE_ID: 'reconcile-e2e',
    });

    const first = await PollerProcess.start(env);
    pollers.push(first);
    await first.waitForLive();
    const pid = await pidOf(first);
    // Caught up before the slot (the pass starts no earlier than `at`): only the pass can find
    // the late records now.
    await first.waitForPublished(36, Math.max(1, at - nowWall - 3) * 1000);
    await simulator.control.append(late);
    // The pass has published the first late record: kill it before it reaches the others.
    await first.waitFor(
      async () => (metricValue(await metrics(first).catch(() => ''), LATE) ?? 0) >= 1,
      (at - nowWall + 90) * 1000,
      'the pass to publish its first late record',
    );
    await crash(first, pid);
    const before = new Set((await readEvents(kafka, operation.EMAIL_SENT_TOPIC)).map((e) => e.id));
    const lateTos = new Set(late.map((l) => l.record.to));
    const lateKeys = expectedKeys(
      operation.WOLKVOX_SERVER,
      (await simulator.control.truth()).filter((e) => lateTos.has(e.record.to as string)),
    ).events;
    expect(lateKeys).toHaveLength(3);
    const foundByFirst = lateKeys.filter((k) => before.has(k)).length;
    // The kill landed inside the pass: some, not all, of the late records were published.
    expect(foundByFirst).toBeGreaterThanOrEqual(1);
    expect(foundByFirst).toBeLessThan(3);
    // The live poll's look-back never caught them: every one on the topic came from the pass.
    expect(first.stdout).toMatch(/pass of .* re-reading/);

    // The restart finds the pass unfinished on the progress topic and runs it again at once.
    const second = await PollerProcess.start(env);
    pollers.push(second);
    await second.waitFor(
      async () =>
        (metricValue(
          await metrics(second).catch(() => ''),
          'wolkvox_poller_reconcile_passes_total',
          {
            outcome: 'completed',
          },
        ) ?? 0) >= 1,
      120_000,
      'the pass run again after the restart to complete',
    );
    const text = await metrics(second);
    expect(metricValue(text, LATE)).toBe(3 - foundByFirst);
    expect(metricValue(text, 'wolkvox_poller_reconcile_calls_total')).toBeGreaterThan(0);

    const truth = await simulator.control.truth();
    const expected = expectedKeys(operation.WOLKVOX_SERVER, truth);
    const events = await readEvents(kafka, operation.EMAIL_SENT_TOPIC);
    expectExactlyOnce(
      expected.events,
      events.map((e) => e.id),
      39,
    );

    // The CLI shows when the pass ran and what it found (the second run's share).
    const shown = await runToExit(CLI_MAIN, ['reconcile', '--json'], env);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      slot: formatWallTime(at),
      outcome: 'completed',
      found: 3 - foundByFirst,
    });

    // The next slot is a day away: the pass does not run again.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const later = await metrics(second);
    expect(metricValue(later, 'wolkvox_poller_reconcile_passes_total')).toBe(1);
  }, 300_000);

  it('skips the pass with a warning when the budget left is what the live poll needs', async () => {
    const quiet = isolatedEnv('reconcile-budget');
    const startedAt = Date.now();
    const nowWall = wallTimeOf(new Date(startedAt), ZONE);
    await simulator.control.reset('empty');
    await simulator.control.faults({ latencyMs: 0 });
    await simulator.control.append([{ record: cdr9Record(nowWall - 30 * HOUR, 500) }]);
    const at = Math.ceil((nowWall + 30) / 60) * 60;
    // The live poll needs a call every 2 s until the slot's local day ends: a quota of half that
    // leaves the pass nothing, whatever the hour the test runs at.
    const liveNeed = Math.ceil((startOfNextLocalDay(at) - at) / 2);
    const quota = Math.max(10, Math.floor(liveNeed / 2));
    const poller = await PollerProcess.start(
      pollerEnv(simulator, quiet, {
        POLL_START_AT: new Date(startedAt - 2 * 24 * HOUR * 1000).toISOString(),
        POLL_INTERVAL_SECONDS: '2',
        POLL_LOOKBACK_SECONDS: '60',
        POLL_RECONCILE_DAYS: '3',
        POLL_RECONCILE_AT: formatWallTime(at).slice(11, 16),
        WOLKVOX_DAILY_QUOTA: String(quota),
      }),
    );
    pollers.push(poller);
    const skipped = async () =>
      metricValue(await metrics(poller).catch(() => ''), 'wolkvox_poller_reconcile_passes_total', {
        outcome: 'skipped-budget',
      }) ?? 0;
    await poller.waitFor(
      async () => (await skipped()) >= 1,
      (at - nowWall + 60) * 1000,
      'the skip',
    );
    const text = await metrics(poller);
    expect(metricValue(text, 'wolkvox_poller_reconcile_calls_total')).toBe(0);
    expect(metricValue(text, 'wolkvox_poller_reconcile_passes_total')).toBe(1);
    const warning = poller
      .logLines()
      .find((l) => l.context === 'Reconcile' && String(l.msg).includes('skipped'));
    expect(warning).toMatchObject({ level: 'warn' });
    expect(String(warning?.msg)).toMatch(/requests are left today, the live poll needs about \d+/);
    // The live poll goes on: the email is on the topic once.
    const events = await readEvents(kafka, quiet.EMAIL_SENT_TOPIC);
    expect(events.map((e) => e.data.record.to)).toEqual(['cliente500@example.com']);
  }, 180_000);
});
