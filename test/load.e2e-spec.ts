/**
 * CPU-heavy (200 emails/s), and asserts that the checkpoint's lag does not grow.
 *
 * @lane solo
 */
import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { PollerProcess } from './support/poller-process.js';
import {
  checkStream,
  exactlyOnce,
  isolatedEnv,
  LONG,
  metrics,
  metricValue,
  note,
  pidOf,
  pollerEnv,
  recordRow,
  residentKiB,
  secondsSince,
  waitForCursorPast,
  waitForPasses,
  ZONE,
} from './support/reliability.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const RATE = 200;
const LOAD_MS = LONG ? 600_000 : 75_000;
/** Samples of the first seconds (start-up, first pass, JIT) say nothing about a trend. */
const WARM_UP_MS = 10_000;
const LOOKBACK_SECONDS = 30;
/** A trickle of late emails: dated up to 20 s back (inside the look-back), visible from now. */
const LATE_PER_SECOND = 1;
/** What the real API takes to answer a report query, more or less. */
const API_LATENCY_MS = 1000;
const API_LATENCY_JITTER_MS = 500;

interface Sample {
  at: number;
  rssKiB: number;
  lagSeconds: number | undefined;
}

const thirds = <T>(items: readonly T[]): [T[], T[], T[]] => {
  const n = Math.floor(items.length / 3);
  return [items.slice(0, n), items.slice(n, items.length - n), items.slice(items.length - n)];
};
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * A steady high rate of emails (200/s, with a trickle of late ones) for a while, the poll
 * interval at 1 s and a 30 s look-back, the API answering in about a second: the poller keeps
 * up (its lag does not grow), its memory does not grow, its passes keep reaching the present
 * (each one re-reads the look-back), and every email is published once.
 *
 * CI runs 75 s of it; FAULTS_LONG=1 runs 10 minutes.
 */
describe('steady load', () => {
  const operation = isolatedEnv('load');
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;

  beforeAll(async () => {
    kafka = testKafka('load-e2e');
    simulator = await startTestSimulator({
      seed: 'load',
      faults: { latencyMs: API_LATENCY_MS, latencyJitterMs: API_LATENCY_JITTER_MS },
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  it(
    `keeps up with ${RATE} emails/s for ${LOAD_MS / 1000} s in bounded lag and memory`,
    async () => {
      const startedAt = Date.now();
      poller = await PollerProcess.start(
        pollerEnv(simulator, operation, {
          POLL_START_AT: new Date(Date.now() - 60_000).toISOString(),
          POLL_INTERVAL_SECONDS: '1',
          POLL_LOOKBACK_SECONDS: String(LOOKBACK_SECONDS),
          POLL_SETTLE_SECONDS: '1',
        }),
      );
      const pid = await pidOf(poller);
      await poller.waitForReady(200, 60_000);
      await simulator.control.live(RATE);
      const loadStartedAt = Date.now();

      // Each second: the late trickle, and a sample of memory and lag.
      const samples: Sample[] = [];
      let late = 0;
      while (Date.now() - loadStartedAt < LOAD_MS) {
        const nowWall = wallTimeOf(new Date(), ZONE);
        await simulator.control.append(
          Array.from({ length: LATE_PER_SECOND }, () => ({
            record: cdr9Record(nowWall - 5 - ((late * 7) % 15), 2_000_000_000 + ++late),
          })),
        );
        const text = await metrics(poller);
        samples.push({
          at: Date.now() - loadStartedAt,
          rssKiB: residentKiB(pid) ?? 0,
          lagSeconds: metricValue(text, 'wolkvox_poller_checkpoint_lag_seconds'),
        });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await simulator.control.live(0);
      const loadEndedAt = new Date();
      const calls = simulator.state.calls.entries().length;

      // Read to the end: past the last live email, then a pass that started after the last late
      // one (the look-back re-read). Whether passes still end is itself under test.
      await waitForCursorPast(poller, new Date(loadEndedAt.getTime() + 1000), 300_000);
      const passesEnd = await waitForPasses(poller, 2, 60_000).then(
        () => true,
        () => false,
      );
      const text = await metrics(poller);
      await poller.stop();

      const measured = samples.filter((s) => s.at >= WARM_UP_MS);
      const [rssFirst, , rssLast] = thirds(measured.map((s) => s.rssKiB / 1024));
      const lags = measured.map((s) => s.lagSeconds ?? Infinity);
      const [lagFirst, , lagLast] = thirds(lags);
      const passes =
        metricValue(text, 'wolkvox_poller_cycles_total', { outcome: 'caught-up' }) ?? 0;
      const check = await checkStream(kafka, operation, simulator);
      const figures = {
        rssMiB: { first: mean(rssFirst), last: mean(rssLast) },
        lagSeconds: { first: median(lagFirst), last: median(lagLast), max: Math.max(...lags) },
      };
      note('load', JSON.stringify({ ...figures, passes, calls, late }));

      recordRow({
        id: 'load',
        order: 7,
        fault: `steady load: ${RATE} emails/s and ${LATE_PER_SECOND} late/s for ${LOAD_MS / 1000} s, API ~${API_LATENCY_MS / 1000} s per call`,
        test: 'test/load.e2e-spec.ts',
        injected: 1,
        runs: 1,
        durationSeconds: secondsSince(startedAt),
        notes: [
          `POLL_INTERVAL_SECONDS=1, POLL_LOOKBACK_SECONDS=${LOOKBACK_SECONDS}, POLL_SETTLE_SECONDS=1; ${calls} API calls; ${passes} passes reached the present`,
          `checkpoint lag (median): ${figures.lagSeconds.first.toFixed(1)} s in the first third, ${figures.lagSeconds.last.toFixed(1)} s in the last; max ${figures.lagSeconds.max.toFixed(1)} s`,
          `resident memory (mean): ${figures.rssMiB.first.toFixed(0)} MiB in the first third, ${figures.rssMiB.last.toFixed(0)} MiB in the last`,
          `${late} late emails appended, dated 5-19 s back`,
        ],
        check,
      });

      expect(check.total).toEqual(exactlyOnce(check.total.expected));
      // Passes reach the present, so each re-reads the look-back (and the interval is kept).
      expect(passesEnd).toBe(true);
      // Bounded lag: no upward trend, and never past the look-back.
      expect(figures.lagSeconds.last).toBeLessThanOrEqual(figures.lagSeconds.first + 5);
      expect(figures.lagSeconds.max).toBeLessThanOrEqual(LOOKBACK_SECONDS);
      if (LONG) {
        // Memory does not grow: over 10 minutes the last third stays within 25% (and 32 MiB of
        // GC noise) of the first.
        expect(figures.rssMiB.last).toBeLessThanOrEqual(figures.rssMiB.first * 1.25 + 32);
      } else {
        // 75 s is mostly V8 warming up (RSS rose 167 -> 256 MiB in one CI run, 153 -> 206 in
        // another), so the short run only bounds it; what could grow with the run (the seen keys)
        // is bounded by the look-back, as the poll-cycle unit test checks key by key.
        expect(figures.rssMiB.last).toBeLessThanOrEqual(400);
      }
    },
    LOAD_MS + 600_000,
  );
});
