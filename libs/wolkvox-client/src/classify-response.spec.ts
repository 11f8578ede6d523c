import { classifyResponse, readEnvelopeCode } from './classify-response.js';
import type { ParsedEnvelope } from './envelope-stream-parser.js';

function envelope(
  code: unknown,
  error: unknown,
  msg: unknown,
  dataShape: ParsedEnvelope['dataShape'] = 'absent',
): ParsedEnvelope {
  return { members: { code, error, msg }, dataShape, elements: 0 };
}

describe('classifyResponse: every row of the status table', () => {
  it.each([
    ['200 with data', 200, envelope(200, null, '2 records were found', 'array'), { kind: 'data' }],
    [
      '200 with a single object',
      200,
      envelope('200', null, '1 records were found', 'object'),
      { kind: 'data' },
    ],
    [
      '404 Validate dates entered',
      404,
      envelope(404, 'NOT FOUND', 'Validate dates entered'),
      { kind: 'empty' },
    ],
    [
      '400 unknown report',
      400,
      envelope(400, 'BAD REQUEST', 'THE API YOU WANT TO CONSULT DOES NOT EXIST'),
      {
        kind: 'misconfigured',
        status: 400,
        message: 'BAD REQUEST: THE API YOU WANT TO CONSULT DOES NOT EXIST',
      },
    ],
    [
      '400 missing parameters',
      400,
      envelope('400', 'BAD REQUEST', 'SOME PARAMETERS ARE REQUIRED'),
      { kind: 'misconfigured', status: 400, message: 'BAD REQUEST: SOME PARAMETERS ARE REQUIRED' },
    ],
    [
      '401 no token',
      401,
      envelope(401, 'UNAUTHORIZED', 'PLEASE ENTER THE WOLKVOX-TOKEN'),
      {
        kind: 'misconfigured',
        status: 401,
        message: 'UNAUTHORIZED: PLEASE ENTER THE WOLKVOX-TOKEN',
      },
    ],
    [
      '403 bad token',
      403,
      envelope(403, 'FORBIDDEN', 'PLEASE VALIDATE TOKEN'),
      { kind: 'token-rejected', message: 'FORBIDDEN: PLEASE VALIDATE TOKEN' },
    ],
    [
      '403 daily budget',
      403,
      envelope('403', 'FORBIDDEN', 'TOKEN LIMIT EXCEEDED'),
      { kind: 'budget-exhausted', message: 'FORBIDDEN: TOKEN LIMIT EXCEEDED' },
    ],
    [
      '403 simultaneous requests',
      403,
      envelope(403, 'FORBIDDEN', 'EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)'),
      { kind: 'transient', reason: expect.stringMatching(/simultaneous/) },
    ],
    [
      '403 maintenance',
      403,
      envelope(403, 'FORBIDDEN', 'WE ARE PERFORMING A BACKUP, TRY AGAIN LATER'),
      { kind: 'transient', reason: expect.stringMatching(/maintenance.*BACKUP/) },
    ],
    [
      '500',
      500,
      envelope(500, 'ERROR', 'oops'),
      { kind: 'transient', reason: 'HTTP 500: ERROR: oops' },
    ],
    [
      '503 HTML page',
      503,
      undefined,
      { kind: 'transient', reason: expect.stringMatching(/^HTTP 503: body is not/) },
    ],
  ])('%s', (_name, httpStatus, parsed, expected) => {
    expect(
      classifyResponse({ httpStatus, envelope: parsed, syntaxError: parsed ? undefined : 'x' }),
    ).toEqual(expected);
  });

  it('retries a 200 whose body is not JSON, or has no data', () => {
    expect(classifyResponse({ httpStatus: 200, syntaxError: 'body ends inside a value' })).toEqual({
      kind: 'transient',
      reason: 'HTTP 200: body is not a Wolkvox envelope (body ends inside a value)',
    });
    expect(
      classifyResponse({ httpStatus: 200, envelope: envelope(200, null, 'x', 'other') }).kind,
    ).toBe('transient');
  });

  it('believes an error code in the body of an HTTP 200', () => {
    expect(
      classifyResponse({
        httpStatus: 200,
        envelope: envelope('404', 'NOT FOUND', 'Validate dates entered'),
      }),
    ).toEqual({
      kind: 'empty',
    });
    expect(
      classifyResponse({
        httpStatus: 200,
        envelope: envelope(403, 'FORBIDDEN', 'PLEASE VALIDATE TOKEN'),
      }).kind,
    ).toBe('token-rejected');
  });

  it('takes code 0 (a number or a string) in an HTTP 200 for success, as some endpoints send it', () => {
    for (const code of [0, '0', ' 0 ']) {
      const answer = envelope(code, null, '3 records were found', 'array');
      expect(classifyResponse({ httpStatus: 200, envelope: answer })).toEqual({ kind: 'data' });
    }
  });

  it('reads a 200 that found 0 records and has no data as an empty window, other 200s without data as transient', () => {
    const none = envelope(200, null, '0 records were found');
    expect(classifyResponse({ httpStatus: 200, envelope: none })).toEqual({ kind: 'empty' });
    const nullData = { ...envelope('200', null, '0 records were found', 'other'), otherData: null };
    expect(classifyResponse({ httpStatus: 200, envelope: nullData })).toEqual({ kind: 'empty' });
    const odd = { ...envelope(200, null, '12 records were found', 'other'), otherData: null };
    expect(classifyResponse({ httpStatus: 200, envelope: odd }).kind).toBe('transient');
  });

  it('does not read a 404 that is not a Wolkvox envelope as an empty window', () => {
    expect(
      classifyResponse({ httpStatus: 404, syntaxError: "expected the envelope object, found '<'" }),
    ).toMatchObject({
      kind: 'misconfigured',
      status: 404,
    });
  });

  it('retries 403s without an envelope, 408 and 429; fails loudly on redirects', () => {
    expect(classifyResponse({ httpStatus: 403, syntaxError: 'x' }).kind).toBe('transient');
    expect(classifyResponse({ httpStatus: 408, syntaxError: 'x' }).kind).toBe('transient');
    expect(classifyResponse({ httpStatus: 429, syntaxError: 'x' }).kind).toBe('transient');
    expect(classifyResponse({ httpStatus: 302, syntaxError: 'x' })).toMatchObject({
      kind: 'misconfigured',
      status: 302,
    });
  });
});

describe('readEnvelopeCode', () => {
  it('accepts the code as a number or a string', () => {
    expect(readEnvelopeCode(200)).toBe(200);
    expect(readEnvelopeCode('200')).toBe(200);
    expect(readEnvelopeCode(' 404 ')).toBe(404);
    expect(readEnvelopeCode('0')).toBe(0);
    expect(readEnvelopeCode('ok')).toBeUndefined();
    expect(readEnvelopeCode(null)).toBeUndefined();
    expect(readEnvelopeCode(200.5)).toBeUndefined();
  });
});
