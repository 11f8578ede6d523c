import { inspect } from 'node:util';
import type { FetchOutcome, RecordSink } from './fetch-outcome.js';
import {
  clock,
  envelope,
  harness,
  ORIGIN,
  PATH,
  record,
  TOKEN,
  window,
} from './testing/client-harness.js';

describe('WolkvoxClient under faults', () => {
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
