import { inspect } from 'node:util';
import { parseWallTime } from '@app/contracts';
import { MockAgent } from 'undici';
import type { CallReport, FetchOutcome, RecordSink } from './fetch-outcome.js';
import { DailyRequestBudget } from './request-budget.js';
import { WolkvoxClient } from './wolkvox-client.js';
import type { WolkvoxClientOptions } from './client-options.js';

const TOKEN = 'tok-9f8e7d6c5b4a';
const ORIGIN = 'https://wv0010.wolkvox.com';
const PATH = '/api/v2/reports_manager.php';
const ZONE = 'America/Bogota';
// 10:00 in Bogota on 2026-03-01.
const NOW = new Date('2026-03-01T15:00:00Z');
const clock = { now: () => NOW };

const window = {
  from: parseWallTime('2026-03-01 08:00:00')!,
  to: parseWallTime('2026-03-01 08:59:59')!,
};

function record(second: number, extra: Record<string, unknown> = {}) {
  return {
    channel: 'email-route-00012',
    date: `2026-03-01 08:00:${String(second).padStart(2, '0')}`,
    from: 'soporte@example.com',
    to: 'ana@example.com',
    subject: 'Su caso',
    body: '<p>Hola</p>',
    ...extra,
  };
}

function envelope(
  code: number | string,
  error: string | null,
  msg: string,
  data?: unknown,
): string {
  return JSON.stringify(data === undefined ? { code, error, msg } : { code, error, msg, data });
}

interface Harness {
  client: WolkvoxClient;
  agent: MockAgent;
  budget: DailyRequestBudget;
  calls: CallReport[];
  sleeps: number[];
  requests: Array<{ path: string; headers: Record<string, string> }>;
  /** Queues one response (or `times` identical ones). */
  respond(status: number, body: string | (() => Promise<string>), times?: number): void;
}

function harness(options: Partial<WolkvoxClientOptions> & { limit?: number } = {}): Harness {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const budget = new DailyRequestBudget({ limit: options.limit, timeZone: ZONE, clock });
  const calls: CallReport[] = [];
  const sleeps: number[] = [];
  const requests: Harness['requests'] = [];
  const client = new WolkvoxClient({
    server: '0010',
    token: TOKEN,
    timeZone: ZONE,
    maxConcurrency: 1,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    budget,
    dispatcher: agent,
    clock,
    random: () => 0.5,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      signal?.throwIfAborted();
      return Promise.resolve();
    },
    onCall: (report) => calls.push(report),
    ...options,
  });
  const respond: Harness['respond'] = (status, body, times = 1) => {
    pool
      .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
      .reply(status, (opts) => {
        requests.push({ path: opts.path, headers: opts.headers as Record<string, string> });
        return typeof body === 'function' ? body() : body;
      })
      .times(times);
  };
  return { client, agent, budget, calls, sleeps, requests, respond };
}

describe('WolkvoxClient', () => {
  describe('the request', () => {
    it('asks for cdr_9 over the window in local wall time, with the token header', async () => {
      const h = harness();
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      await h.client.fetchWindow(window);
      expect(h.requests).toHaveLength(1);
      const url = new URL(h.requests[0].path, ORIGIN);
      expect(url.pathname).toBe(PATH);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        date_ini: '20260301080000',
        date_end: '20260301085959',
        api: 'cdr_9',
      });
      expect(h.requests[0].headers['wolkvox-token']).toBe(TOKEN);
    });

    it('goes to the base URL when one is given', async () => {
      const agent = new MockAgent();
      agent.disableNetConnect();
      let path = '';
      agent
        .get('http://127.0.0.1:8089')
        .intercept({ path: (p) => ((path = p), true), method: 'GET' })
        .reply(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      const client = new WolkvoxClient({
        server: '0010',
        token: TOKEN,
        baseUrl: 'http://127.0.0.1:8089/',
        timeZone: ZONE,
        maxConcurrency: 1,
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
        budget: new DailyRequestBudget({ timeZone: ZONE }),
        dispatcher: agent,
      });
      expect((await client.fetchWindow(window)).kind).toBe('records');
      expect(path.startsWith(PATH)).toBe(true);
      expect(client.endpoint).toBe(`http://127.0.0.1:8089${PATH}`);
    });

    it('refuses a window that is not whole seconds, runs backwards or spans over 31 days', async () => {
      const h = harness();
      await expect(h.client.fetchWindow({ from: 1.5, to: 10 })).rejects.toThrow(RangeError);
      await expect(h.client.fetchWindow({ from: 10, to: 9 })).rejects.toThrow(RangeError);
      await expect(h.client.fetchWindow({ from: 0, to: 31 * 86_400 + 1 })).rejects.toThrow(
        RangeError,
      );
      expect(h.calls).toHaveLength(0);
    });
  });

  describe('200 with data', () => {
    it.each([200, '200'])('reads records when code is %p', async (code) => {
      const h = harness();
      h.respond(200, envelope(code, null, '2 records were found', [record(1), record(2)]));
      const outcome = await h.client.fetchWindow(window);
      expect(outcome).toEqual({
        kind: 'records',
        records: [
          { record: record(1), wall: parseWallTime('2026-03-01 08:00:01') },
          { record: record(2), wall: parseWallTime('2026-03-01 08:00:02') },
        ],
        invalid: [],
        returned: 2,
        possiblyTruncated: false,
        httpStatus: 200,
        calls: 1,
      });
    });

    it('reads data sent as a single object', async () => {
      const h = harness();
      h.respond(200, envelope(200, null, '1 records were found', record(7)));
      const outcome = await h.client.fetchWindow(window);
      expect(outcome).toMatchObject({
        kind: 'records',
        returned: 1,
        records: [{ record: record(7) }],
      });
    });

    it('returns invalid records beside the valid ones, raw and with a reason', async () => {
      const h = harness();
      const badDate = record(3, { date: '2026-02-30 10:00:00' });
      const { subject: _subject, ...missing } = record(4);
      const numeric = record(5, { to: 12345 });
      h.respond(
        200,
        envelope(200, null, '4 records were found', [record(1), badDate, missing, numeric]),
      );
      const outcome = await h.client.fetchWindow(window);
      if (outcome.kind !== 'records') throw new Error(outcome.kind);
      expect(outcome.records.map((r) => r.record)).toEqual([record(1)]);
      expect(outcome.returned).toBe(4);
      expect(outcome.invalid).toEqual([
        { raw: badDate, reason: expect.stringMatching(/^date: /) },
        { raw: missing, reason: expect.stringMatching(/^subject: /) },
        { raw: numeric, reason: expect.stringMatching(/^to: /) },
      ]);
    });

    it('flags a response that reaches the truncation limit', async () => {
      const h = harness({ truncationLimit: 3 });
      h.respond(200, envelope(200, null, '2 records were found', [record(1), record(2)]));
      h.respond(200, envelope(200, null, '3 records were found', [record(1), record(2), { x: 1 }]));
      expect(await h.client.fetchWindow(window)).toMatchObject({ possiblyTruncated: false });
      // Invalid elements count: the API cut the response at what it sent, valid or not.
      expect(await h.client.fetchWindow(window)).toMatchObject({
        possiblyTruncated: true,
        returned: 3,
      });
    });
  });

  it('reads 404 "Validate dates entered" as an empty window', async () => {
    const h = harness();
    h.respond(404, envelope('404', 'NOT FOUND', 'Validate dates entered'));
    expect(await h.client.fetchWindow(window)).toEqual({
      kind: 'records',
      records: [],
      invalid: [],
      returned: 0,
      possiblyTruncated: false,
      httpStatus: 404,
      calls: 1,
    });
  });

  it.each([
    [400, 'THE API YOU WANT TO CONSULT DOES NOT EXIST'],
    [400, 'SOME PARAMETERS ARE REQUIRED'],
    [401, 'PLEASE ENTER THE WOLKVOX-TOKEN'],
  ])('fails loudly on %d %s, without retrying', async (status, msg) => {
    const h = harness();
    h.respond(status, envelope(status, 'BAD REQUEST', msg));
    expect(await h.client.fetchWindow(window)).toEqual({
      kind: 'misconfigured',
      status,
      message: `BAD REQUEST: ${msg}`,
      calls: 1,
    });
    expect(h.calls).toHaveLength(1);
  });

  describe('403 PLEASE VALIDATE TOKEN', () => {
    it('stops calling until the rejection is reset', async () => {
      const h = harness();
      h.respond(403, envelope(403, 'FORBIDDEN', 'PLEASE VALIDATE TOKEN'));
      expect(await h.client.fetchWindow(window)).toEqual({
        kind: 'token-rejected',
        message: 'FORBIDDEN: PLEASE VALIDATE TOKEN',
        calls: 1,
      });
      expect(h.client.tokenRejected).toBe(true);
      expect(await h.client.fetchWindow(window)).toMatchObject({
        kind: 'token-rejected',
        calls: 0,
      });
      expect(h.calls).toHaveLength(1);
      expect(h.budget.used).toBe(1);

      h.client.resetTokenRejection();
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      expect((await h.client.fetchWindow(window)).kind).toBe('records');
      expect(h.calls).toHaveLength(2);
    });

    it('calls again at once with a new token, and only with a new one', async () => {
      const h = harness();
      h.respond(403, envelope(403, 'FORBIDDEN', 'PLEASE VALIDATE TOKEN'));
      await h.client.fetchWindow(window);
      h.client.useToken(TOKEN);
      expect(h.client.tokenRejected).toBe(true);

      h.client.useToken('tok-rotated-0001');
      expect(h.client.tokenRejected).toBe(false);
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      expect((await h.client.fetchWindow(window)).kind).toBe('records');
      expect(h.requests.map((r) => r.headers['wolkvox-token'])).toEqual([
        TOKEN,
        'tok-rotated-0001',
      ]);
      expect(() => h.client.useToken('has space')).toThrow(/visible ASCII/);
    });

    it('is not blocked by the refusal of a token replaced while the call was in flight', async () => {
      const h = harness();
      h.respond(403, () => {
        h.client.useToken('tok-rotated-0002');
        return Promise.resolve(envelope(403, 'FORBIDDEN', 'PLEASE VALIDATE TOKEN'));
      });
      expect((await h.client.fetchWindow(window)).kind).toBe('token-rejected');
      expect(h.client.tokenRejected).toBe(false);
    });
  });

  describe('the daily budget', () => {
    it('stops at 403 TOKEN LIMIT EXCEEDED until the next local day', async () => {
      const h = harness();
      h.respond(403, envelope('403', 'FORBIDDEN', 'TOKEN LIMIT EXCEEDED'));
      const resetsAt = parseWallTime('2026-03-02 00:00:00');
      expect(await h.client.fetchWindow(window)).toEqual({
        kind: 'budget-exhausted',
        source: 'api',
        resetsAt,
        calls: 1,
      });
      expect(await h.client.fetchWindow(window)).toEqual({
        kind: 'budget-exhausted',
        source: 'local',
        resetsAt,
        calls: 0,
      });
      expect(h.calls).toHaveLength(1);
    });

    it('spends one unit per request, retries included, and makes none without a unit', async () => {
      const h = harness({ limit: 2 });
      h.respond(503, 'Service Unavailable', 2);
      expect(await h.client.fetchWindow(window)).toMatchObject({
        kind: 'budget-exhausted',
        source: 'local',
        calls: 2,
      });
      expect(h.budget.used).toBe(2);
      expect(h.calls).toHaveLength(2);
    });

    it('is never exceeded by concurrent fetches', async () => {
      const h = harness({ limit: 3, maxConcurrency: 2 });
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'), 3);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => h.client.fetchWindow(window)),
      );
      const kinds = outcomes.map((outcome) => outcome.kind).sort();
      expect(kinds).toEqual([
        'budget-exhausted',
        'budget-exhausted',
        'budget-exhausted',
        'records',
        'records',
        'records',
      ]);
      expect(h.calls).toHaveLength(3);
      expect(h.budget.used).toBe(3);
    });
  });

  describe('transient faults', () => {
    it.each([
      ['a 500', () => [500, 'Internal Server Error'] as const],
      ['a 503 envelope', () => [503, envelope(503, 'SERVICE UNAVAILABLE', 'try later')] as const],
      [
        'too many simultaneous requests',
        () =>
          [
            403,
            envelope(403, 'FORBIDDEN', 'EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)'),
          ] as const,
      ],
      [
        'a maintenance 403',
        () => [403, envelope(403, 'FORBIDDEN', 'SERVER IN MAINTENANCE (BACKUP)')] as const,
      ],
      [
        'invalid JSON',
        () =>
          [200, '{"code":200,"error":null,"msg":"2 records were found","data":[{"chan'] as const,
      ],
    ])('retries %s with backoff, then reads the window', async (_name, fault) => {
      const h = harness();
      const [status, body] = fault();
      h.respond(status, body, 2);
      h.respond(200, envelope(200, null, '1 records were found', [record(1)]));
      expect(await h.client.fetchWindow(window)).toMatchObject({
        kind: 'records',
        returned: 1,
        calls: 3,
      });
      // random() = 0.5: half of 100 and of 200 ms.
      expect(h.sleeps).toEqual([50, 100]);
    });

    it('retries a reset connection', async () => {
      const h = harness();
      h.agent
        .get(ORIGIN)
        .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
        .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      expect(await h.client.fetchWindow(window)).toMatchObject({ kind: 'records', calls: 2 });
      expect(h.calls.map((call) => call.result)).toEqual(['network-error', 'empty']);
    });

    it('keeps the slot of a call it gave up on until the server has surely ended it', async () => {
      let endHold: () => void = () => undefined;
      const held: number[] = [];
      const h = harness({
        abandonedCallMs: 65_000,
        sleep: (ms) => {
          if (ms < 65_000) return Promise.resolve();
          held.push(ms);
          return new Promise<void>((resolve) => (endHold = resolve));
        },
      });
      h.agent
        .get(ORIGIN)
        .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
        .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      const read = h.client.fetchWindow(window);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // One slot (maxConcurrency 1): the retry waits for the reset call's grace to end.
      expect(held).toEqual([65_000]);
      expect(h.calls.map((call) => call.result)).toEqual(['network-error']);
      endHold();
      expect(await read).toMatchObject({ kind: 'records', calls: 2 });
    });

    it('frees the slot at once when the connection was refused (no call reached the server)', async () => {
      const h = harness({ abandonedCallMs: 65_000 });
      h.agent
        .get(ORIGIN)
        .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
        .replyWithError(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }));
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      expect(await h.client.fetchWindow(window)).toMatchObject({ kind: 'records', calls: 2 });
      expect(h.sleeps).not.toContain(65_000);
    });

    it('counts every slot taken until a given time, for calls a killed process left running', async () => {
      const h = harness({ maxConcurrency: 2 });
      h.respond(404, envelope(404, 'NOT FOUND', 'Validate dates entered'));
      h.client.assumeCallsInFlightUntil(clock.now().getTime() + 30_000);
      expect(await h.client.fetchWindow(window)).toMatchObject({ kind: 'records' });
      expect(h.sleeps.filter((ms) => ms === 30_000)).toHaveLength(2);
    });

    it('gives up after maxAttempts with the last error, the delays capped', async () => {
      const h = harness();
      h.respond(502, 'Bad Gateway', 4);
      expect(await h.client.fetchWindow(window)).toEqual({
        kind: 'unavailable',
        attempts: 4,
        lastError:
          "HTTP 502: body is not a Wolkvox envelope (expected the envelope object, found 'B')",
        calls: 4,
      });
      // Ceilings 100, 200, 400 capped at 250; random() = 0.5.
      expect(h.sleeps).toEqual([50, 100, 125]);
      expect(h.budget.used).toBe(4);
    });

    it('stops retrying as soon as the signal aborts', async () => {
      const controller = new AbortController();
      const h = harness({
        sleep: (_ms, signal) => {
          controller.abort(new Error('shutting down'));
          return Promise.reject(signal!.reason as Error);
        },
      });
      h.respond(500, 'Internal Server Error', 4);
      await expect(h.client.fetchWindow(window, { signal: controller.signal })).rejects.toThrow(
        'shutting down',
      );
      expect(h.calls).toHaveLength(1);
    });

    it('rejects at once when the signal is already aborted', async () => {
      const h = harness();
      await expect(
        h.client.fetchWindow(window, { signal: AbortSignal.abort(new Error('gone')) }),
      ).rejects.toThrow('gone');
      expect(h.calls).toHaveLength(0);
    });
  });

  it('reports a call that outlives the timeout as timed-out, without retrying', async () => {
    const h = harness({ callTimeoutMs: 20 });
    h.agent
      .get(ORIGIN)
      .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
      .reply(404, envelope(404, 'NOT FOUND', 'Validate dates entered'))
      .delay(60_000);
    expect(await h.client.fetchWindow(window)).toEqual({ kind: 'timed-out', calls: 1 });
    expect(h.calls.map((call) => call.result)).toEqual(['timed-out']);
  });

  it('keeps at most maxConcurrency calls in flight', async () => {
    for (const maxConcurrency of [1, 2] as const) {
      const h = harness({ maxConcurrency });
      let inFlight = 0;
      let peak = 0;
      h.respond(
        404,
        async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return envelope(404, 'NOT FOUND', 'Validate dates entered');
        },
        5,
      );
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => h.client.fetchWindow(window)),
      );
      expect(outcomes.every((outcome) => outcome.kind === 'records')).toBe(true);
      expect(peak).toBe(maxConcurrency);
    }
  });

  describe('the token', () => {
    it('never shows in inspect or JSON output', () => {
      const { client } = harness();
      expect(inspect(client, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
      expect(JSON.stringify(client)).not.toContain(TOKEN);
      expect(JSON.stringify({ client })).toContain('wv0010.wolkvox.com');
    });

    it('is scrubbed from messages even when the server or the network echoes it', async () => {
      const h = harness({ retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 } });
      h.respond(400, envelope(400, 'BAD REQUEST', `unknown token ${TOKEN}`));
      h.agent
        .get(ORIGIN)
        .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
        .replyWithError(new Error(`connect failed with header ${TOKEN}`))
        .times(2);
      const outcomes: FetchOutcome[] = [
        await h.client.fetchWindow(window),
        await h.client.fetchWindow(window),
      ];
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['misconfigured', 'unavailable']);
      const everything = JSON.stringify({ outcomes, calls: h.calls });
      expect(everything).not.toContain(TOKEN);
      expect(everything).toContain('[redacted]');
    });

    it('is not quoted when the options are refused', () => {
      let message = '';
      try {
        harness({ timeZone: 'Nowhere/Else' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/timeZone/);
      expect(message).not.toContain(TOKEN);
    });
  });

  describe('streamWindow', () => {
    /** A sink that writes down what reached it, in order. */
    function recordingSink(fail: { accept?: Error; drain?: Error } = {}) {
      const log: string[] = [];
      const sink: RecordSink = {
        accept: (element) => {
          if (fail.accept) throw fail.accept;
          log.push(element.ok ? `record ${element.record.date.slice(-2)}` : 'invalid');
        },
        drain: () => {
          log.push('drain');
          return fail.drain ? Promise.reject(fail.drain) : Promise.resolve();
        },
        discard: () => {
          log.push('discard');
          return Promise.resolve();
        },
      };
      return { sink, log };
    }

    it('hands each element to the sink, valid or not, and keeps none itself', async () => {
      const h = harness();
      h.respond(200, envelope(200, null, '3 records were found', [record(1), { x: 1 }, record(2)]));
      const { sink, log } = recordingSink();
      const outcome = await h.client.streamWindow(window, sink);
      expect(outcome).toEqual({
        kind: 'records',
        returned: 3,
        possiblyTruncated: false,
        httpStatus: 200,
        calls: 1,
      });
      expect(log.filter((l) => l !== 'drain')).toEqual(['record 01', 'invalid', 'record 02']);
      expect(log).toContain('drain');
    });

    it('discards what a failed attempt handed over before it retries', async () => {
      const h = harness();
      const whole = envelope(200, null, '2 records were found', [record(1), record(2)]);
      // Cut inside the second element: the first already reached the sink.
      h.respond(200, whole.slice(0, whole.indexOf('08:00:02') - 10));
      h.respond(200, whole);
      const { sink, log } = recordingSink();
      const outcome = await h.client.streamWindow(window, sink);
      expect(outcome).toMatchObject({ kind: 'records', returned: 2, calls: 2 });
      expect(log.filter((l) => l !== 'drain')).toEqual([
        'record 01',
        'discard',
        'record 01',
        'record 02',
      ]);
    });

    it('rethrows what the sink throws, as is, without retrying', async () => {
      for (const fail of [
        { accept: new Error('mapping bug') },
        { drain: new Error('kafka down') },
      ]) {
        const h = harness();
        h.respond(200, envelope(200, null, '1 records were found', [record(1)]), 2);
        const { sink, log } = recordingSink(fail);
        await expect(h.client.streamWindow(window, sink)).rejects.toBe(fail.accept ?? fail.drain);
        expect(h.requests).toHaveLength(1);
        expect(h.budget.used).toBe(1);
        expect(h.calls.map((c) => c.result)).toEqual(['abandoned']);
        expect(log).not.toContain('discard');
      }
    });
  });
});
