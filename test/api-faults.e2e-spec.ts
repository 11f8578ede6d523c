/**
 * Asserts upper bounds on the gaps between retries, which CPU contention stretches.
 *
 * @lane solo
 */
import { formatWallTime, startOfNextLocalDay, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import {
  checkStream,
  exactlyOnce,
  isolatedEnv,
  logged,
  LONG,
  note,
  pollerEnv,
  recordRow,
  secondsSince,
  TOKEN,
  waitForCursorPast,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type CallLogEntry, type TestSimulator } from './support/simulator.js';

const DAY = 86_400;
/** Outcomes the poller must retry (docs/CONTRACT.md section 2: 5xx, invalid JSON, reset, 403s but two). */
const TRANSIENT = new Set<CallLogEntry['outcome']>([
  'server-error',
  'malformed',
  'reset',
  'maintenance',
  'too-many-simultaneous',
]);
/**
 * The poller's retry policy (apps/poller/src/wolkvox/wolkvox-client.factory.ts, next-delay.ts): up to 4
 * attempts per fetch, retry n after a full-jitter delay below 2^(n-1) s; a fetch that gives up
 * fails the cycle, and the k-th failed cycle in a row waits at least 5 s x 2^(k-1).
 */
const ATTEMPTS_PER_FETCH = 4;
const retryCapMs = (retry: number) => 1000 * 2 ** (retry - 1);
const cyclePauseFloorMs = (failedInARow: number) => 5000 * 2 ** (failedInARow - 1);
/** Time between a call's answer and the next request that is not the client's own delay. */
const OVERHEAD_MS = 500;

/** Another integration that uses the same token: its calls ask for a window of 2001. */
const RIVAL_DATE_INI = '20010101000000';

const gapMs = (previous: CallLogEntry, next: CallLogEntry) =>
  Date.parse(next.receivedAt) - Date.parse(previous.finishedAt ?? previous.receivedAt);

interface Fetch {
  calls: CallLogEntry[];
  /** Every attempt failed transiently: the cycle failed. */
  gaveUp: boolean;
}

/**
 * The poller's calls cut into fetches: a call is a retry of the one before when it asks for the
 * same window right after a transient failure, sooner than any cycle pause.
 */
function fetchesOf(calls: readonly CallLogEntry[]): Fetch[] {
  const fetches: Fetch[] = [];
  for (const call of calls) {
    const current = fetches.at(-1);
    const previous = current?.calls.at(-1);
    const isRetry =
      previous !== undefined &&
      TRANSIENT.has(previous.outcome) &&
      previous.dateIni === call.dateIni &&
      previous.dateEnd === call.dateEnd &&
      gapMs(previous, call) < cyclePauseFloorMs(1);
    if (isRetry) current!.calls.push(call);
    else fetches.push({ calls: [call], gaveUp: false });
  }
  for (const f of fetches)
    f.gaveUp =
      f.calls.length === ATTEMPTS_PER_FETCH && f.calls.every((c) => TRANSIENT.has(c.outcome));
  return fetches;
}

/**
 * A call of the rival integration that holds the token's only slot for `ms`: the simulator's
 * next call hangs. The poller's call may take the hang instead; then try again.
 */
async function holdTheSlot(
  simulator: TestSimulator,
  ms: number,
): Promise<{ released: Promise<void> }> {
  for (;;) {
    await simulator.control.faults({ queue: ['hang'], hangMs: ms });
    const seq = simulator.state.calls.entries().length;
    const answered = fetch(
      `${simulator.url}/api/v2/reports_manager.php?api=cdr_9&date_ini=${RIVAL_DATE_INI}&date_end=20010101000059`,
      { headers: { 'wolkvox-token': TOKEN } },
    ).then(async (response) => void (await response.text()));
    let mine: CallLogEntry | undefined;
    await waitUntil(() => {
      mine = simulator.state.calls
        .entries()
        .slice(seq)
        .find((c) => c.dateIni === RIVAL_DATE_INI);
      return mine !== undefined && (mine.fault !== undefined || mine.status !== null);
    });
    if (mine!.fault === 'hang') return { released: answered };
    await answered;
  }
}

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * docs/CONTRACT.md sections 2 and 4 under the API's faults: 5xx, hangs past the call timeout, malformed
 * JSON, resets, maintenance 403s and the concurrency 403 are retried with backoff, and the
 * stream ends up complete with nothing twice.
 */
describe('transient API faults', () => {
  const operation = isolatedEnv('apifaults');
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;
  let startAt: Date;

  beforeAll(async () => {
    kafka = testKafka('apifaults-e2e');
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    // From before the first email of the history.
    startAt = new Date(now.getTime() - 2 * DAY * 1000 - 60_000);
    simulator = await startTestSimulator({
      seed: 'apifaults',
      // The token may run one call at a time: a rival integration's call makes the poller's
      // calls meet the concurrency 403.
      maxConcurrency: 1,
      faults: { hangMs: 6000 },
      generation: { from: end - 2 * DAY, to: end - 1, emailsPerHour: 100, lateRate: 0 },
      livePerSecond: 5,
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  it('retries every kind with backoff and publishes every record once', async () => {
    const startedAt = Date.now();
    // 1. Eight transient faults in a row: two fetches give up, the cycle pauses twice, longer
    // the second time.
    await simulator.control.faults({
      queue: [
        'server-error',
        'malformed',
        'reset',
        'maintenance',
        'server-error',
        'malformed',
        'reset',
        'maintenance',
      ],
    });
    poller = await PollerProcess.start(
      pollerEnv(simulator, operation, {
        POLL_START_AT: startAt.toISOString(),
        POLL_INTERVAL_SECONDS: '1',
        POLL_LOOKBACK_SECONDS: '30',
        POLL_SETTLE_SECONDS: '1',
        WOLKVOX_MAX_CONCURRENCY: '1',
        // A hang becomes a timeout quickly (the API's own limit is 60 s).
        WOLKVOX_CALL_TIMEOUT_SECONDS: '2',
      }),
    );
    await waitForCursorPast(poller, new Date(), 120_000);

    // 2. A call that hangs past the poller's timeout: given up at 2 s, the window is read
    // again (split in halves, or later when it is a single second).
    await simulator.control.faults({ queue: ['hang'] });
    const hungAt = simulator.state.calls.entries().length;
    await waitUntil(() => {
      const later = simulator.state.calls.entries().slice(hungAt);
      const hung = later.findIndex((c) => c.fault === 'hang');
      return hung >= 0 && later.length > hung + 1;
    }, 60_000);

    // 3. The rival integration holds the token's only slot for 12 s: longer than any pause
    // of the poller's after one failed cycle (10 s), so some of its calls meet the 403.
    const rival = await holdTheSlot(simulator, 12_000);
    await rival.released;

    // 4. Faults at random for a while.
    await simulator.control.faults({
      serverErrorRate: 0.1,
      malformedRate: 0.05,
      resetRate: 0.05,
      maintenanceRate: 0.05,
      hangRate: 0.02,
    });
    await waitForCursorPast(poller, new Date(Date.now() + (LONG ? 120_000 : 20_000)), 180_000);
    await simulator.control.faults({
      serverErrorRate: 0,
      malformedRate: 0,
      resetRate: 0,
      maintenanceRate: 0,
      hangRate: 0,
    });

    await simulator.control.live(0);
    await waitForCursorPast(poller, new Date(Date.now() + 1000), 180_000);
    await poller.stop();

    const calls = simulator.state.calls.entries().filter((c) => c.dateIni !== RIVAL_DATE_INI);
    const byOutcome: Record<string, number> = {};
    for (const c of calls) byOutcome[c.outcome] = (byOutcome[c.outcome] ?? 0) + 1;
    const fetches = fetchesOf(calls);
    const retried = fetches.filter((f) => f.calls.length > 1);
    const pauses: number[] = [];
    let failedInARow = 0;
    const pauseProblems: string[] = [];
    const retryProblems: string[] = [];
    for (let i = 0; i < fetches.length; i++) {
      const { calls: attempts, gaveUp } = fetches[i];
      if (attempts.length > ATTEMPTS_PER_FETCH)
        retryProblems.push(`${attempts.length} attempts at ${attempts[0].receivedAt}`);
      for (let n = 1; n < attempts.length; n++) {
        const gap = gapMs(attempts[n - 1], attempts[n]);
        if (gap > retryCapMs(n) + OVERHEAD_MS)
          retryProblems.push(`retry ${n} after ${gap} ms at ${attempts[n].receivedAt}`);
      }
      failedInARow = gaveUp ? failedInARow + 1 : 0;
      const next = fetches[i + 1];
      if (gaveUp && next) {
        const pause = gapMs(attempts.at(-1)!, next.calls[0]);
        pauses.push(pause);
        if (pause < cyclePauseFloorMs(failedInARow))
          pauseProblems.push(`pause ${pause} ms after failed cycle ${failedInARow} in a row`);
      }
    }
    const faulty = calls.filter((c) => c.fault !== undefined || TRANSIENT.has(c.outcome)).length;
    note('apifaults', `outcomes ${JSON.stringify(byOutcome)}; pauses ${JSON.stringify(pauses)}`);

    const check = await checkStream(kafka, operation, simulator);
    recordRow({
      id: 'api-faults',
      order: 3,
      fault: 'API: 5xx, hangs, malformed JSON, resets, maintenance and concurrency 403s',
      test: 'test/api-faults.e2e-spec.ts',
      injected: faulty,
      runs: 1,
      durationSeconds: secondsSince(startedAt),
      notes: [
        `${calls.length} calls by the poller: ${Object.entries(byOutcome)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        `${retried.length} fetches retried, none over ${ATTEMPTS_PER_FETCH} attempts; ${pauses.length} fetches gave up, and the cycle paused ${pauses.map((p) => `${(p / 1000).toFixed(1)} s`).join(', ')} before the next`,
        'scripted: 8 transient faults in a row, one hang past the 2 s call timeout, a rival call holding the one slot for 12 s; then random faults (27% of calls) for 20 s',
      ],
      check,
    });

    expect(check.total).toEqual(exactlyOnce(check.total.expected));
    for (const outcome of [...TRANSIENT, 'hang'] as const)
      expect({ outcome, seen: (byOutcome[outcome] ?? 0) > 0 }).toEqual({ outcome, seen: true });
    expect(byOutcome['missing-params'] ?? 0).toBe(0);
    expect(retryProblems).toEqual([]);
    // The eight scripted faults made two fetches in a row give up: two pauses at least.
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    expect(pauseProblems).toEqual([]);
  }, 600_000);
});

/**
 * The daily request budget (docs/CONTRACT.md section 2: every call costs one unit, whatever it returns),
 * spent first by the poller's own count (WOLKVOX_DAILY_QUOTA), then by the API's
 * (403 TOKEN LIMIT EXCEEDED). Either way the poller stops calling at once, says so in
 * /health/ready, and would wait for the next local day. Recovery is what an operator does:
 * restart with a larger quota (more licenses), and, for the API's limit, once the vendor has
 * raised it (here through the simulator's control API). Waiting for a real midnight is no test.
 */
describe('a spent daily budget', () => {
  const operation = isolatedEnv('budget');
  let kafka: Kafka;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;
  let dataEnd: Date;

  beforeAll(async () => {
    kafka = testKafka('budget-e2e');
    const now = new Date();
    dataEnd = new Date(now.getTime() - 3600_000);
    const end = wallTimeOf(dataEnd, ZONE);
    // Ten API windows of 31 days: more than the first budgets allow.
    simulator = await startTestSimulator({
      seed: 'budget',
      generation: { from: end - 300 * DAY, to: end, emailsPerHour: 3, lateRate: 0 },
    });
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  /** Waits until /health/ready reports the budget spent, and returns that answer. */
  async function budgetSpent(p: PollerProcess): Promise<ReadyBody> {
    let body: ReadyBody | undefined;
    await p.waitFor(
      async () => {
        // Connection refused until the process listens.
        body = (await p.get<ReadyBody>('/health/ready').catch(() => undefined))?.body;
        return /budget/.test(String(body?.details?.wolkvox?.message ?? ''));
      },
      120_000,
      'the budget to be reported spent',
    );
    return body!;
  }

  /** Log lines saying the budget is spent and calls wait for the operation's next local day. */
  function waitsForTomorrow(p: PollerProcess): number {
    const midnight = formatWallTime(startOfNextLocalDay(wallTimeOf(new Date(), ZONE)));
    return logged(p, 'Wolkvox: ').filter((l) => {
      const msg = String(l.msg);
      return msg.includes('daily request budget is spent') && msg.includes(midnight);
    }).length;
  }

  /** Polls the call log for `ms`: a proof that nothing more happens needs time to pass. */
  async function callsAfter(ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return simulator.state.calls.entries().length;
  }

  it('stops calling when the budget is spent, and completes after the budget is raised', async () => {
    const startedAt = Date.now();
    const env = (quota: number) =>
      pollerEnv(simulator, operation, {
        POLL_START_AT: new Date(Date.now() - 301 * DAY * 1000).toISOString(),
        POLL_INTERVAL_SECONDS: '1',
        WOLKVOX_DAILY_QUOTA: String(quota),
      });

    // 1. The poller's own budget: 4 calls, then nothing.
    poller = await PollerProcess.start(env(4));
    const first = await budgetSpent(poller);
    const byFirst = simulator.state.calls.entries().length;
    expect(byFirst).toBe(4);
    expect(first.details.wolkvox.status).toBe('down');
    expect(await callsAfter(3000)).toBe(4);
    expect(waitsForTomorrow(poller)).toBe(1);
    await poller.stop();

    // 2. More licenses for the poller, but the API's limit is 3 calls away.
    await simulator.control.settings({ dailyQuota: simulator.state.quota.used + 3 });
    poller = await PollerProcess.start(env(1000));
    await budgetSpent(poller);
    const refused = () =>
      simulator.state.calls.entries().filter((c) => c.outcome === 'quota-exceeded').length;
    expect(refused()).toBe(1);
    const bySecond = await callsAfter(3000);
    expect(bySecond).toBe(byFirst + 4);
    expect(refused()).toBe(1);
    expect(waitsForTomorrow(poller)).toBe(1);
    await poller.stop();

    // 3. The vendor raised the limit: the next run completes the stream.
    await simulator.control.settings({ dailyQuota: null });
    poller = await PollerProcess.start(env(1000));
    await waitForCursorPast(poller, dataEnd, 180_000);
    await poller.stop();
    const total = simulator.state.calls.entries().length;

    const check = await checkStream(kafka, operation, simulator);
    recordRow({
      id: 'daily-budget',
      order: 4,
      fault: 'daily budget spent (WOLKVOX_DAILY_QUOTA, then the API 403 TOKEN LIMIT EXCEEDED)',
      test: 'test/api-faults.e2e-spec.ts',
      injected: 2,
      runs: 3,
      durationSeconds: secondsSince(startedAt),
      notes: [
        `run 1 (WOLKVOX_DAILY_QUOTA=4): ${byFirst} calls, then none; ready said "${first.details.wolkvox.message}"`,
        `run 2 (API limit 3 calls away): ${bySecond - byFirst} calls, ${refused()} refused with TOKEN LIMIT EXCEEDED, then none`,
        `run 3 (limit raised): ${total - bySecond} calls to finish; ${total} calls in all`,
      ],
      check,
    });
    expect(check.total).toEqual(exactlyOnce(check.total.expected));
  }, 600_000);
});
