import { parseWallTime, type WallSeconds } from '@app/contracts';
import {
  DailyRequestBudget,
  WolkvoxClient,
  type FetchOutcome,
  type RecordsOutcome,
  type WolkvoxClientOptions,
} from '@app/wolkvox-client';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

/**
 * The real client against the simulator over real sockets: what the poller will see from
 * Wolkvox, checked against the simulator's ground truth and its log of calls received.
 */
const ZONE = 'America/Bogota';
const TOKEN = 'e2e-token-5f1c';
const hour = parseWallTime('2026-03-01 10:00:00')!;
const window = { from: hour, to: hour + 3599 };

function clientFor(
  simulator: TestSimulator,
  options: Partial<WolkvoxClientOptions> = {},
): WolkvoxClient {
  return new WolkvoxClient({
    server: '0010',
    token: TOKEN,
    baseUrl: simulator.url,
    timeZone: ZONE,
    maxConcurrency: 2,
    retry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 },
    budget: new DailyRequestBudget({ timeZone: ZONE }),
    ...options,
  });
}

function records(outcome: FetchOutcome): RecordsOutcome {
  if (outcome.kind !== 'records')
    throw new Error(`expected records, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Appends `count` valid records spread over the hour, `perSecond` to a second. */
async function seed(
  simulator: TestSimulator,
  count: number,
  perSecond = 1,
  start: WallSeconds = hour,
) {
  const items = Array.from({ length: count }, (_, n) => ({
    record: cdr9Record(start + Math.floor(n / perSecond), n),
  }));
  await simulator.control.append(items);
  return items.map((item) => item.record);
}

describe('WolkvoxClient against the simulator', () => {
  const started: Array<{ simulator: TestSimulator; clients: WolkvoxClient[] }> = [];
  async function setup(simulatorOptions: Parameters<typeof startTestSimulator>[0] = {}) {
    const simulator = await startTestSimulator({
      token: TOKEN,
      timeZone: ZONE,
      ...simulatorOptions,
    });
    const entry = { simulator, clients: [] as WolkvoxClient[] };
    started.push(entry);
    const make = (options: Partial<WolkvoxClientOptions> = {}) => {
      const client = clientFor(simulator, options);
      entry.clients.push(client);
      return client;
    };
    return { simulator, make };
  }
  afterEach(async () => {
    for (const { simulator, clients } of started.splice(0)) {
      await Promise.all(clients.map((client) => client.close()));
      await simulator.close();
    }
  });

  it('reads a window, dates in local time, whichever order and code style the API uses', async () => {
    const styles = [
      { order: 'oldest', codeStyle: 'mixed' },
      { order: 'newest', codeStyle: 'zero' },
      { order: 'shuffled', codeStyle: 'mixed' },
    ] as const;
    for (const { order, codeStyle } of styles) {
      const { simulator, make } = await setup({ order, codeStyle });
      const sent = await seed(simulator, 40);
      const client = make();
      for (let i = 0; i < 4; i++) {
        const outcome = records(await client.fetchWindow(window));
        expect(outcome.records.map((r) => r.record)).toEqual(
          order === 'oldest'
            ? sent
            : order === 'newest'
              ? [...sent].reverse()
              : expect.arrayContaining(sent),
        );
        expect(outcome).toMatchObject({ returned: 40, possiblyTruncated: false, invalid: [] });
        expect(outcome.records[0].wall).toBe(parseWallTime(outcome.records[0].record.date));
      }
    }
  });

  it('reads the inclusive bounds of a window and nothing outside it', async () => {
    const { simulator, make } = await setup();
    const sent = await seed(simulator, 10);
    const outcome = records(await make().fetchWindow({ from: hour + 2, to: hour + 5 }));
    expect(outcome.records.map((r) => r.record)).toEqual(expect.arrayContaining(sent.slice(2, 6)));
    expect(outcome.returned).toBe(4);
  });

  it('reads 404 "Validate dates entered" as an empty window', async () => {
    const { simulator, make } = await setup();
    const outcome = records(await make().fetchWindow(window));
    expect(outcome).toMatchObject({ records: [], returned: 0, httpStatus: 404, calls: 1 });
    expect(await simulator.control.calls()).toEqual([
      expect.objectContaining({
        status: 404,
        outcome: 'empty',
        dateIni: '20260301100000',
        dateEnd: '20260301105959',
      }),
    ]);
  });

  it('sees a response cut at 60,000 records as possibly truncated, and gets the earliest by date', async () => {
    // 61,000 emails in one hour, some invalid, duplicated or late: the real limit, real sizes.
    const { simulator, make } = await setup({
      generation: {
        from: hour,
        to: hour - 1,
        emailsPerHour: 0,
        bursts: [{ at: hour, count: 61_000, seconds: 3600 }],
        duplicateRate: 0.01,
        invalidRate: 0.01,
        lateRate: 0,
      },
    });
    const outcome = records(await make().fetchWindow(window));
    expect(outcome.returned).toBe(60_000);
    expect(outcome.possiblyTruncated).toBe(true);
    expect(outcome.records.length + outcome.invalid.length).toBe(60_000);
    expect(outcome.invalid.length).toBeGreaterThan(0);

    const truth = await simulator.control.truth();
    const expected = truth
      .slice(0, 60_000)
      .map((entry) => JSON.stringify(entry.record))
      .sort();
    const received = [...outcome.records.map((r) => r.record), ...outcome.invalid.map((r) => r.raw)]
      .map((record) => JSON.stringify(record))
      .sort();
    expect(received).toEqual(expected);
    const invalidInTruth = truth.slice(0, 60_000).filter((entry) => !entry.valid).length;
    expect(outcome.invalid.length).toBe(invalidInTruth);
  });

  it('keeps at most maxConcurrency calls in flight, as counted by the simulator', async () => {
    const { simulator, make } = await setup({ maxConcurrency: 2, faults: { latencyMs: 30 } });
    await seed(simulator, 5);
    const client = make({ maxConcurrency: 2 });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => client.fetchWindow(window)));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(8).fill('records'));
    const calls = await simulator.control.calls();
    expect(calls).toHaveLength(8);
    expect(Math.max(...calls.map((call) => call.concurrency))).toBe(2);
    expect(calls.some((call) => call.outcome === 'too-many-simultaneous')).toBe(false);
  });

  it('backs off and retries when the API refuses simultaneous requests', async () => {
    const { simulator, make } = await setup({ maxConcurrency: 1, faults: { latencyMs: 20 } });
    await seed(simulator, 3);
    const client = make({
      maxConcurrency: 2,
      retry: { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 100 },
    });
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => client.fetchWindow(window)));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(4).fill('records'));
    const calls = await simulator.control.calls();
    expect(calls.filter((call) => call.outcome === 'data')).toHaveLength(4);
    expect(calls.some((call) => call.outcome === 'too-many-simultaneous')).toBe(true);
  });

  it('never exceeds its local budget: the simulator counts exactly the units spent', async () => {
    const { simulator, make } = await setup();
    const budget = new DailyRequestBudget({ limit: 5, timeZone: ZONE });
    const client = make({ budget });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => client.fetchWindow(window)));
    const kinds = outcomes.map((outcome) => outcome.kind);
    expect(kinds.filter((kind) => kind === 'records')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome.kind === 'budget-exhausted')).toEqual(
      Array(3).fill(expect.objectContaining({ source: 'local', calls: 0 })),
    );
    expect(await simulator.control.calls()).toHaveLength(5);
    expect(budget.used).toBe(5);
  });

  it('stops at the API daily quota and makes no further call that day', async () => {
    const { simulator, make } = await setup({ dailyQuota: 3 });
    const client = make();
    for (let i = 0; i < 3; i++) expect((await client.fetchWindow(window)).kind).toBe('records');
    const refused = await client.fetchWindow(window);
    expect(refused).toMatchObject({ kind: 'budget-exhausted', source: 'api', calls: 1 });
    expect(await client.fetchWindow(window)).toMatchObject({
      kind: 'budget-exhausted',
      source: 'local',
      calls: 0,
    });
    const calls = await simulator.control.calls();
    expect(calls.map((call) => call.outcome)).toEqual([
      'empty',
      'empty',
      'empty',
      'quota-exceeded',
    ]);
  });

  it('retries 5xx, resets, malformed JSON and maintenance 403s with backoff, spending a unit each', async () => {
    const { simulator, make } = await setup({
      faults: { queue: ['server-error', 'reset', 'malformed', 'maintenance', 'server-error'] },
    });
    await seed(simulator, 7);
    const budget = new DailyRequestBudget({ timeZone: ZONE });
    const outcome = records(
      await make({ budget, retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 20 } }).fetchWindow(
        window,
      ),
    );
    expect(outcome).toMatchObject({ returned: 7, calls: 6 });
    const calls = await simulator.control.calls();
    expect(calls.map((call) => call.outcome)).toEqual([
      'server-error',
      'reset',
      'malformed',
      'maintenance',
      'server-error',
      'data',
    ]);
    expect(budget.used).toBe(6);
  });

  it('gives up as unavailable after maxAttempts', async () => {
    const { simulator, make } = await setup({ faults: { serverErrorRate: 1 } });
    const outcome = await make({
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    }).fetchWindow(window);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      attempts: 3,
      lastError: expect.stringMatching(/^HTTP 50[023]/),
    });
    expect(await simulator.control.calls()).toHaveLength(3);
  });

  it('reports a call that hangs past the timeout as timed-out, without retrying, and recovers', async () => {
    const { simulator, make } = await setup({ faults: { queue: ['hang'], hangMs: 60_000 } });
    await seed(simulator, 2);
    const client = make({ callTimeoutMs: 300 });
    expect(await client.fetchWindow(window)).toEqual({ kind: 'timed-out', calls: 1 });
    expect(records(await client.fetchWindow(window)).returned).toBe(2);
    const calls = await simulator.control.calls();
    expect(calls.map((call) => [call.outcome, call.status])).toEqual([
      ['hang', null],
      ['data', 200],
    ]);
  });

  it('stops calling once the token is refused, until told to try again', async () => {
    const { simulator, make } = await setup();
    const client = make({ token: 'not-the-token' });
    expect(await client.fetchWindow(window)).toEqual({
      kind: 'token-rejected',
      message: 'FORBIDDEN: PLEASE VALIDATE TOKEN',
      calls: 1,
    });
    for (let i = 0; i < 3; i++) {
      expect(await client.fetchWindow(window)).toMatchObject({ kind: 'token-rejected', calls: 0 });
    }
    expect(await simulator.control.calls()).toEqual([
      expect.objectContaining({ token: 'wrong', status: 403 }),
    ]);
    client.resetTokenRejection();
    expect((await client.fetchWindow(window)).kind).toBe('token-rejected');
    expect(await simulator.control.calls()).toHaveLength(2);
  });

  it('sees a late record only once it is visible', async () => {
    const { simulator, make } = await setup();
    const record = cdr9Record(hour + 10, 1);
    await simulator.control.append([{ record, visibleAt: Date.now() + 3_600_000 }]);
    const client = make();
    expect(records(await client.fetchWindow(window)).records).toEqual([]);
    await simulator.control.append([
      { record: cdr9Record(hour + 10, 2), visibleAt: Date.now() - 1 },
    ]);
    expect(records(await client.fetchWindow(window)).records.map((r) => r.record.to)).toEqual([
      'cliente2@example.com',
    ]);
  });
});
