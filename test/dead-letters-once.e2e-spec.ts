import { parseQueryTime, parseWallTime, validateCdr9Record, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { Random } from '../apps/simulator/src/prng.js';
import { testKafka } from './support/kafka.js';
import { PollerProcess } from './support/poller-process.js';
import {
  checkStream,
  crash,
  exactlyOnce,
  isolatedEnv,
  note,
  passesDone,
  pidOf,
  pollerEnv,
  SEED,
  waitForPasses,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type TestSimulator, type TruthEntry } from './support/simulator.js';

const KILLS = 4;
/** Passes each clean run makes: each one re-reads every record of the data set. */
const PASSES = 4;

/** What the bad records of the truth are: no usable date, identical to the one before. */
function badRecords(truth: readonly TruthEntry[]) {
  const bad = truth.filter((entry) => !validateCdr9Record(entry.record).ok);
  const date = (entry: TruthEntry) => entry.record.date;
  return {
    count: bad.length,
    undated: bad.filter((e) => typeof date(e) !== 'string' || !parseWallTime(String(date(e))))
      .length,
    identical: bad.filter(
      (e, i) => i > 0 && JSON.stringify(e.record) === JSON.stringify(bad[i - 1].record),
    ).length,
  };
}

/**
 * Issue 15: every distinct bad record reaches the dead-letter topic once, however often it is
 * read again. The whole data set lies inside the look-back, so every pass re-reads every bad
 * record (impossible dates, dates in another format or of the wrong type, missing fields,
 * numbers and nulls for strings, identical bad records), through clean restarts and SIGKILLs
 * at random moments of the passes; both topics are then compared with the simulator's ground
 * truth, read_committed.
 */
describe('dead letters once: bad records inside the look-back, re-read, restarted, crashed', () => {
  const operation = isolatedEnv('dlq-once');
  const random = new Random(`${SEED}:dead-letters-once`);
  let kafka: Kafka;
  let simulator: TestSimulator;
  let env: Record<string, string>;
  let poller: PollerProcess | undefined;
  let dataFrom: number;

  beforeAll(async () => {
    kafka = testKafka('dlq-once-e2e');
    const now = new Date();
    const nowWall = wallTimeOf(now, ZONE);
    // Well inside the default hour of look-back for the few minutes the test runs.
    dataFrom = nowWall - 40 * 60;
    simulator = await startTestSimulator({
      seed: 'dead-letters-once',
      faults: { latencyMs: 100, latencyJitterMs: 300 },
      generation: {
        from: dataFrom,
        to: nowWall - 60,
        emailsPerHour: 3_000,
        bursts: [],
        duplicateRate: 0.01,
        invalidRate: 0.1,
        invalidDuplicateRate: 0.3,
        lateRate: 0,
        largeBodyRate: 0,
      },
    });
    env = pollerEnv(simulator, operation, {
      // Older than the look-back: settledBefore moves with every pass, past the first windows.
      POLL_START_AT: new Date(now.getTime() - 2 * 3_600_000).toISOString(),
      POLL_INTERVAL_SECONDS: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  it('holds each distinct bad record once and every event once', async () => {
    const truth = await simulator.control.truth();
    const bad = badRecords(truth);
    note('dlq-once', `records ${truth.length}, bad ${JSON.stringify(bad)}`);
    // The data set holds what the test is about.
    expect(bad.count).toBeGreaterThan(150);
    expect(bad.undated).toBeGreaterThan(50);
    expect(bad.identical).toBeGreaterThan(20);

    // Two clean runs: the second resumes from the checkpoint the first committed.
    for (let run = 0; run < 2; run++) {
      poller = await PollerProcess.start(env);
      await waitForPasses(poller, PASSES);
      await poller.stop();
    }
    // Kills at random moments of the passes: inside a call, a transaction, between windows.
    for (let i = 0; i < KILLS; i++) {
      poller = await PollerProcess.start(env);
      const pid = await pidOf(poller);
      await waitForPasses(poller, 1);
      await new Promise((resolve) => setTimeout(resolve, random.int(0, 1500)));
      expect((await crash(poller, pid)).signal).toBe('SIGKILL');
    }
    poller = await PollerProcess.start(env);
    await waitForPasses(poller, PASSES);
    const passes = await passesDone(poller);
    await poller.stop();
    poller = undefined;

    // Every pass re-read the whole data set: each bad record was read dozens of times.
    const reads = (await simulator.control.calls()).filter(
      (call) => call.outcome === 'data' && parseQueryTime(call.dateIni ?? '')! <= dataFrom,
    ).length;
    note(
      'dlq-once',
      `calls reading the whole data set: ${reads}; passes of the last run ${passes}`,
    );
    expect(reads).toBeGreaterThanOrEqual(3 * PASSES + KILLS);

    const check = await checkStream(kafka, operation, simulator);
    expect(check.deadLetters).toEqual(exactlyOnce(bad.count));
    expect(check.events).toEqual(exactlyOnce(truth.length - bad.count));
  }, 600_000);
});
