import { parseWallTime } from '@app/contracts';
import { MockAgent } from 'undici';
import { DailyRequestBudget } from './request-budget.js';
import { WolkvoxClient } from './wolkvox-client.js';
import {
  envelope,
  harness,
  ORIGIN,
  PATH,
  record,
  TOKEN,
  window,
  ZONE,
} from './testing/client-harness.js';

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
});
