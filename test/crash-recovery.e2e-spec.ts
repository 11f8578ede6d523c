/**
 * Runs with nothing beside it: CPU-heavy (a backfill of over 100,000 records, read back twice),
 * and some of its kills must land inside transactions that had written events. A loaded machine
 * slows the poller so much that none does (seen at a load average of 25 on 2 cores).
 *
 * @lane alone
 */
import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { Random } from '../apps/simulator/src/prng.js';
import { testKafka } from './support/kafka.js';
import { PollerProcess } from './support/poller-process.js';
import {
  checkStream,
  crash,
  exactlyOnce,
  isolatedEnv,
  linesOfKilled,
  LONG,
  note,
  pidOf,
  pollerEnv,
  recordRow,
  recordsReadUncommitted,
  secondsSince,
  SEED,
  waitForCursorPast,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type CallLogEntry, type TestSimulator } from './support/simulator.js';

const DAY = 86_400;
const KILLS = LONG ? 60 : 24;
/**
 * Sparse history: every API window spans the 31-day maximum and holds ~4,500 records, so the
 * backfill is a long run of small transactions (about one a second here), each a place to die.
 */
const HISTORY_DAYS = LONG ? 1500 : 800;

type Phase = 'starting' | 'fetching' | 'publishing' | 'between';

interface Kill {
  poller: PollerProcess;
  spawnedAt: number;
  killedAt: number;
  anchor: 'spawn' | 'first-call';
}

/**
 * Where a kill landed, read afterwards from timestamps (the poller's log lines and the
 * simulator's call log, one clock): a call in flight; a window fetched but its commit not yet
 * logged (mapping, or inside the Kafka transaction); no call made yet (start-up, topic check,
 * claim, checkpoint load); or between a commit and the next call.
 */
function phaseOf(kill: Kill, calls: readonly CallLogEntry[]): Phase {
  const mine = calls.filter((c) => {
    const at = Date.parse(c.receivedAt);
    return at >= kill.spawnedAt && at < kill.killedAt;
  });
  const answeredBefore = mine.filter(
    (c) =>
      (c.outcome === 'data' || c.outcome === 'empty') &&
      c.finishedAt !== undefined &&
      Date.parse(c.finishedAt) < kill.killedAt,
  ).length;
  if (mine.length > 0 && mine.length > answeredBefore) return 'fetching';
  const committed = linesOfKilled(kill.poller).filter(
    (l) =>
      String(l.msg).startsWith('published window') && Date.parse(String(l.time)) < kill.killedAt,
  ).length;
  if (answeredBefore > committed) return 'publishing';
  return mine.length === 0 ? 'starting' : 'between';
}

/**
 * docs/CONTRACT.md section 4, "a crash at any point": the poller is killed with SIGKILL at seeded random
 * moments of a long backfill, restarted each time, then left to finish. Every record ends up on
 * the topics exactly once, and the kills did land where it hurts: inside API calls and inside
 * Kafka transactions (records written and aborted).
 */
describe('crash recovery: SIGKILL at random moments of a backfill', () => {
  const operation = isolatedEnv('crash');
  const random = new Random(`${SEED}:crash`);
  let kafka: Kafka;
  let simulator: TestSimulator;
  let env: Record<string, string>;
  let last: PollerProcess | undefined;
  let dataEnd: Date;

  beforeAll(async () => {
    kafka = testKafka('crash-e2e');
    const now = new Date();
    const end = wallTimeOf(now, ZONE) - 3600;
    dataEnd = new Date(now.getTime() - 3600_000);
    simulator = await startTestSimulator({
      seed: 'crash',
      // The real API takes its time: calls last long enough for kills to land inside them.
      faults: { latencyMs: 200, latencyJitterMs: 600 },
      generation: {
        from: end - HISTORY_DAYS * DAY,
        to: end,
        emailsPerHour: 6,
        duplicateRate: 0.01,
        invalidRate: 0.005,
        lateRate: 0,
        largeBodyRate: 0.0005,
      },
    });
    env = pollerEnv(simulator, operation, {
      POLL_START_AT: new Date(now.getTime() - (HISTORY_DAYS + 1) * DAY * 1000).toISOString(),
      POLL_INTERVAL_SECONDS: '2',
    });
  }, 60_000);

  afterAll(async () => {
    await last?.stop();
    await simulator?.close();
  }, 60_000);

  it(`publishes every record exactly once through ${KILLS} kills`, async () => {
    const startedAt = Date.now();
    const kills: Kill[] = [];
    for (let i = 0; i < KILLS; i++) {
      // Most kills are timed from the first API call of the run, so that they land in the
      // work (fetch, map, transaction); one in four within the first second or so after the
      // spawn (the first call comes 0.6-1.2 s after it here), so that start-up, the topic
      // check, the claim and the checkpoint load are hit too.
      const anchor = random.chance(0.25) ? 'spawn' : 'first-call';
      const delayMs = anchor === 'spawn' ? random.int(50, 1200) : random.int(0, 2500);
      const callsBefore = simulator.state.calls.entries().length;
      const spawnedAt = Date.now();
      const poller = await PollerProcess.start(env);
      last = poller;
      const pid = await pidOf(poller);
      if (anchor === 'first-call') {
        await poller.waitFor(
          () => Promise.resolve(simulator.state.calls.entries().length > callsBefore),
          60_000,
          'the first API call of this run',
        );
      }
      // The random moment itself: nothing to wait for but time.
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const killedAt = Date.now();
      const exit = await crash(poller, pid);
      expect(exit.signal).toBe('SIGKILL');
      kills.push({ poller, spawnedAt, killedAt, anchor });
    }

    // The last run is left alone until it has read past the end of the history.
    last = await PollerProcess.start(env);
    await waitForCursorPast(last, dataEnd, 600_000);
    await last.stop();

    const calls = simulator.state.calls.entries();
    const phases: Record<Phase, number> = { starting: 0, fetching: 0, publishing: 0, between: 0 };
    for (const kill of kills) phases[phaseOf(kill, calls)]++;
    const check = await checkStream(kafka, operation, simulator);
    const committed = check.events.found;
    const written = await recordsReadUncommitted(kafka, operation.EMAIL_SENT_TOPIC);
    const published = kills.reduce(
      (n, k) =>
        n + linesOfKilled(k.poller).filter((l) => String(l.msg).startsWith('published')).length,
      0,
    );
    note('crash', `kills landed: ${JSON.stringify(phases)}; aborted events ${written - committed}`);

    recordRow({
      id: 'crash-recovery',
      order: 1,
      fault: 'SIGKILL at random moments of a backfill',
      test: 'test/crash-recovery.e2e-spec.ts',
      injected: KILLS,
      runs: KILLS + 1,
      durationSeconds: secondsSince(startedAt),
      notes: [
        `${HISTORY_DAYS} days of history, ~4,500 records per API window; seed ${SEED}: ${kills.filter((k) => k.anchor === 'spawn').length} kills 50-1200 ms after the spawn, the others 0-2.5 s after the run's first API call`,
        `kills landed: ${phases.fetching} during an API call, ${phases.publishing} after a fetch and before its commit, ${phases.starting} before the first call (start-up, claim, checkpoint load), ${phases.between} between a commit and the next call`,
        `${written - committed} events written in transactions a kill cut short, aborted, invisible to read_committed`,
        `${published} windows committed by the killed runs before they died`,
      ],
      check,
    });

    expect(check.total).toEqual(exactlyOnce(check.total.expected));
    expect(check.total.expected).toBeGreaterThan(100_000);
    // The kills hit the places that matter: inside API calls, and inside transactions that had
    // already written events (which read_committed must never show).
    expect(phases.fetching).toBeGreaterThan(0);
    expect(phases.publishing).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(committed);
  }, 900_000);
});
