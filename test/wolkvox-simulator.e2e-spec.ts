import { formatWallTime, parseWallTime, wallTimeOf } from '@app/contracts';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

/**
 * The simulator as raw HTTP sees it: the real API's answers, the control API, and the faults.
 * (The client's handling of all this is in wolkvox-client.e2e-spec.ts.)
 */
const TOKEN = 'sim-e2e-token';
const hour = parseWallTime('2026-03-01 10:00:00')!;

async function call(
  simulator: TestSimulator,
  query: Record<string, string>,
  token: string | null = TOKEN,
): Promise<{ status: number; body: string; json: () => Record<string, unknown> }> {
  const url = `${simulator.url}/api/v2/reports_manager.php?${new URLSearchParams(query).toString()}`;
  const response = await fetch(url, {
    headers: token === null ? {} : { 'wolkvox-token': token },
  });
  const body = await response.text();
  return { status: response.status, body, json: () => JSON.parse(body) as Record<string, unknown> };
}

const hourQuery = { api: 'cdr_9', date_ini: '20260301100000', date_end: '20260301105959' };

describe('the Wolkvox simulator', () => {
  const running: TestSimulator[] = [];
  async function start(
    options: Parameters<typeof startTestSimulator>[0] = {},
  ): Promise<TestSimulator> {
    const started = await startTestSimulator({ token: TOKEN, ...options });
    running.push(started);
    return started;
  }
  afterEach(async () => {
    for (const started of running.splice(0)) await started.close();
  });

  it('answers like the real API: token, parameters, range, empty window', async () => {
    const simulator = await start({ codeStyle: 'string' });
    expect((await call(simulator, hourQuery, null)).json()).toEqual({
      code: '401',
      error: 'UNAUTHORIZED',
      msg: 'PLEASE ENTER THE WOLKVOX-TOKEN',
    });
    const wrong = await call(simulator, hourQuery, 'nope');
    expect([wrong.status, wrong.json().msg]).toEqual([403, 'PLEASE VALIDATE TOKEN']);
    const unknown = await call(simulator, { ...hourQuery, api: 'cdr_1' });
    expect([unknown.status, unknown.json().msg]).toEqual([
      400,
      'THE API YOU WANT TO CONSULT DOES NOT EXIST',
    ]);
    const missing = await call(simulator, { api: 'cdr_9' });
    expect([missing.status, missing.json().msg]).toEqual([400, 'SOME PARAMETERS ARE REQUIRED']);
    const tooLong = await call(simulator, {
      api: 'cdr_9',
      date_ini: '20260101000000',
      date_end: '20260201000001',
    });
    expect(tooLong.status).toBe(400);
    const empty = await call(simulator, hourQuery);
    expect([empty.status, empty.json()]).toEqual([
      404,
      { code: '404', error: 'NOT FOUND', msg: 'Validate dates entered' },
    ]);
    expect(
      (
        await call(simulator, {
          api: 'cdr_9',
          date_ini: '20260101000000',
          date_end: '20260201000000',
        })
      ).status,
    ).toBe(404);
  });

  it('serves the code as a number when told to, and records in local time', async () => {
    const simulator = await start({ codeStyle: 'number' });
    await simulator.control.append([{ record: cdr9Record(hour + 5, 1) }]);
    const answer = await call(simulator, hourQuery);
    expect(answer.json()).toEqual({
      code: 200,
      error: null,
      msg: '1 records were found',
      data: [cdr9Record(hour + 5, 1)],
    });
    expect(answer.body).toContain('"date":"2026-03-01 10:00:05"');
  });

  it('cuts at the truncation limit without saying so, keeping the first in the order it plays', async () => {
    const simulator = await start({ truncationLimit: 30, order: 'oldest' });
    // Appended latest first: the cut must follow the date, not the order of arrival.
    const items = Array.from({ length: 50 }, (_, n) => ({
      record: cdr9Record(hour + 49 - n, 49 - n),
    }));
    await simulator.control.append(items);
    const all = Array.from({ length: 50 }, (_, n) => cdr9Record(hour + n, n));
    const oldest = (await call(simulator, hourQuery)).json();
    expect(oldest.msg).toBe('30 records were found');
    expect(oldest.data).toEqual(all.slice(0, 30));

    await simulator.control.settings({ order: 'newest' });
    expect((await call(simulator, hourQuery)).json().data).toEqual(all.slice(20).reverse());

    await simulator.control.settings({ order: 'shuffled' });
    const shuffled = (await call(simulator, hourQuery)).json().data as unknown[];
    expect(shuffled).toHaveLength(30);
    expect(all).toEqual(expect.arrayContaining(shuffled));
    // Any 30 of the 50: not the oldest nor the newest 30 in date order.
    expect(shuffled).not.toEqual(all.slice(0, 30));
    expect(shuffled).not.toEqual(all.slice(20).reverse());
  });

  it('reads date_ini and date_end as each bounds mode says', async () => {
    const simulator = await start({ order: 'oldest' });
    await simulator.control.append([0, 1, 2, 3].map((n) => ({ record: cdr9Record(hour + n, n) })));
    const query = { api: 'cdr_9', date_ini: '20260301100001', date_end: '20260301100002' };
    const dates = async (): Promise<string[]> => {
      const answer = await call(simulator, query);
      if (answer.status === 404) return [];
      return (answer.json().data as Array<{ date: string }>).map((r) => r.date.slice(-2));
    };
    const seen: Record<string, string[]> = {};
    for (const bounds of ['inclusive', 'end-exclusive', 'start-exclusive', 'exclusive'] as const) {
      await simulator.control.settings({ bounds });
      seen[bounds] = await dates();
    }
    expect(seen).toEqual({
      inclusive: ['01', '02'],
      'end-exclusive': ['01'],
      'start-exclusive': ['02'],
      exclusive: [],
    });
  });

  it('holds the slot of a call the client gave up on, as a server still running it would', async () => {
    const simulator = await start({ maxConcurrency: 1, abandonedHoldMs: 1500 });
    await simulator.control.faults({ queue: ['reset'] });
    await expect(call(simulator, hourQuery)).rejects.toThrow();
    const refused = await call(simulator, hourQuery);
    expect([refused.status, refused.json().msg]).toEqual([
      403,
      'EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (1)',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await call(simulator, hourQuery)).status).toBe(404);
  });

  it('counts every call against the daily quota, the refused ones too', async () => {
    const simulator = await start({ dailyQuota: 2 });
    expect((await call(simulator, hourQuery)).status).toBe(404);
    expect((await call(simulator, { api: 'nope' })).status).toBe(400);
    const over = await call(simulator, hourQuery);
    expect([over.status, over.json().msg]).toEqual([403, 'TOKEN LIMIT EXCEEDED']);
    expect((await simulator.control.calls()).map((c) => c.quotaUsed)).toEqual([1, 2, 3]);
  });

  it('refuses a call beyond the simultaneous limit', async () => {
    const simulator = await start({ maxConcurrency: 1, faults: { latencyMs: 200 } });
    const answers = await Promise.all([call(simulator, hourQuery), call(simulator, hourQuery)]);
    expect(answers.map((a) => a.status).sort()).toEqual([403, 404]);
    expect(answers.find((a) => a.status === 403)!.json().msg).toBe(
      'EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (1)',
    );
    const calls = await simulator.control.calls();
    expect(calls.map((c) => c.concurrency).sort()).toEqual([1, 2]);
  });

  it('injects scripted faults: 5xx, malformed JSON, maintenance, reset', async () => {
    const simulator = await start();
    await simulator.control.faults({
      queue: ['server-error', 'malformed', 'maintenance', 'reset'],
    });
    const serverError = await call(simulator, hourQuery);
    expect(serverError.status).toBeGreaterThanOrEqual(500);
    const malformed = await call(simulator, hourQuery);
    expect(malformed.status).toBe(200);
    expect(() => malformed.json()).toThrow(SyntaxError);
    const maintenance = await call(simulator, hourQuery);
    expect(maintenance.status).toBe(403);
    expect(maintenance.json().msg).toMatch(/MAINTENANCE/);
    await expect(call(simulator, hourQuery)).rejects.toThrow();
    expect((await call(simulator, hourQuery)).status).toBe(404);
    expect((await simulator.control.calls()).map((c) => c.outcome)).toEqual([
      'server-error',
      'malformed',
      'maintenance',
      'reset',
      'empty',
    ]);
  });

  it('draws faults from the seed: the same seed, the same sequence', async () => {
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const simulator = await start({
        seed: 'faults',
        faults: { serverErrorRate: 0.3, maintenanceRate: 0.2 },
      });
      for (let i = 0; i < 20; i++) await call(simulator, hourQuery);
      outcomes.push((await simulator.control.calls()).map((c) => c.outcome));
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(new Set(outcomes[0])).toEqual(new Set(['server-error', 'maintenance', 'empty']));
  });

  it('keeps late records out of the API until they are visible, and shows them in the truth', async () => {
    const simulator = await start();
    const later = Date.now() + 3_600_000;
    await simulator.control.append([
      { record: cdr9Record(hour, 1) },
      { record: cdr9Record(hour + 1, 2), visibleAt: later },
      {
        record: cdr9Record(hour + 2, 3, { date: '2026-02-30 10:00:02' }),
        indexDate: '2026-03-01 10:00:02',
      },
    ]);
    const answer = (await call(simulator, hourQuery)).json();
    expect((answer.data as Array<{ to: string }>).map((r) => r.to)).toEqual([
      'cliente1@example.com',
      'cliente3@example.com',
    ]);
    const truth = await simulator.control.truth();
    expect(truth.map((t) => [t.indexDate, t.valid])).toEqual([
      ['2026-03-01 10:00:00', true],
      ['2026-03-01 10:00:01', true],
      ['2026-03-01 10:00:02', false],
    ]);
    expect(truth[1].visibleAt).toBe(new Date(later).toISOString());
  });

  it('refuses control bodies that do not fit, and resets to the seeded data', async () => {
    const simulator = await start({
      token: TOKEN,
      generation: { from: hour, to: hour + 3599, emailsPerHour: 100 },
    });
    const seeded = (await simulator.control.status()).records;
    expect(seeded).toBeGreaterThanOrEqual(100);
    await expect(simulator.control.append([{ record: { date: 'yesterday' } }])).rejects.toThrow(
      /400/,
    );
    await expect(simulator.control.faults({ serverErrorRate: 2 })).rejects.toThrow(/400/);
    await simulator.control.append([{ record: cdr9Record(hour, 1) }]);
    await call(simulator, hourQuery);
    await simulator.control.reset();
    expect(await simulator.control.status()).toMatchObject({
      records: seeded,
      calls: 0,
      quota: { used: 0 },
    });
    await simulator.control.reset('empty');
    expect((await simulator.control.status()).records).toBe(0);
  });

  it('appends live traffic dated now in the zone', async () => {
    const simulator = await start({ timeZone: 'America/Bogota' });
    await simulator.control.live(20);
    let truth = await simulator.control.truth();
    while (truth.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      truth = await simulator.control.truth();
    }
    await simulator.control.live(0);
    // Dated by the zone's wall clock at the moment it became visible.
    expect(truth[0].indexDate).toBe(
      formatWallTime(wallTimeOf(new Date(truth[0].visibleAt), 'America/Bogota')),
    );
    expect(truth[0].record.date).toBe(truth[0].indexDate);
    expect(truth.every((t) => t.valid)).toBe(true);
  });
});
