import type { ParsedEnvelope } from './envelope-stream-parser.js';

/** What one HTTP response means for the poller (docs/CONTRACT.md section 2, status table). Pure. */
export type ResponseClass =
  /** 200: the records collected from `data` are the window's content. */
  | { kind: 'data' }
  /** 404 "Validate dates entered": the window holds no records. */
  | { kind: 'empty' }
  /** 403 PLEASE VALIDATE TOKEN: stop calling until someone fixes the token. */
  | { kind: 'token-rejected'; message: string }
  /** 403 TOKEN LIMIT EXCEEDED: the operation's daily budget is spent. */
  | { kind: 'budget-exhausted'; message: string }
  /** 400, 401 and anything else that retrying cannot fix: fail loudly. */
  | { kind: 'misconfigured'; status: number; message: string }
  /** 5xx, invalid JSON, too many simultaneous requests, maintenance: retry with backoff. */
  | { kind: 'transient'; reason: string };

export interface ResponseFacts {
  httpStatus: number;
  /** The parsed envelope; undefined when the body was not one (see `syntaxError`). */
  envelope?: ParsedEnvelope;
  /** Why the body was not an envelope. */
  syntaxError?: string;
}

/** The envelope's `code`, which Wolkvox sends as `200` or as `"200"` (and `0` or `"0"`). */
export function readEnvelopeCode(code: unknown): number | undefined {
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\s*\d{1,3}\s*$/.test(code)) return Number(code);
  return undefined;
}

/** `error` and `msg` of the envelope, e.g. `FORBIDDEN: PLEASE VALIDATE TOKEN`. */
export function envelopeMessage(envelope: ParsedEnvelope | undefined): string {
  if (!envelope) return '';
  const parts = [envelope.members.error, envelope.members.msg].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts.join(': ');
}

export function classifyResponse(facts: ResponseFacts): ResponseClass {
  const { envelope } = facts;
  const code = readEnvelopeCode(envelope?.members.code);
  // The HTTP status is the answer and the envelope's code repeats it. Should an HTTP 200 ever
  // carry an error code in its body (a PHP script that forgot http_response_code), believe the
  // body: treating an error body as data could advance progress past records never read. Other
  // codes are not errors: some endpoints of the same API answer success with `code` 0 or "0".
  const bodyError = code !== undefined && code >= 300 && code <= 599;
  const status = facts.httpStatus === 200 && bodyError ? code : facts.httpStatus;
  const message = envelopeMessage(envelope) || `HTTP ${status}`;
  const notEnvelope = `body is not a Wolkvox envelope (${facts.syntaxError ?? 'unknown'})`;

  if (status >= 500)
    return { kind: 'transient', reason: `HTTP ${status}: ${envelope ? message : notEnvelope}` };
  switch (status) {
    case 200:
      if (!envelope) return { kind: 'transient', reason: `HTTP 200: ${notEnvelope}` };
      if (envelope.dataShape === 'array' || envelope.dataShape === 'object')
        return { kind: 'data' };
      // An empty window is documented as 404; a 200 that says it found 0 records and carries
      // no data (or null) means the same, and retrying it would stall the poller for good.
      if (saysNoRecords(envelope)) return { kind: 'empty' };
      return { kind: 'transient', reason: `HTTP 200 without a data array: ${message}` };
    case 404:
      // Wolkvox answers an empty window with 404 "Validate dates entered". A 404 that is not
      // even an envelope comes from something else (a wrong WOLKVOX_BASE_URL, a proxy):
      // reading it as "no records" would skip data silently.
      if (envelope) return { kind: 'empty' };
      return { kind: 'misconfigured', status, message: `HTTP 404: ${notEnvelope}` };
    case 403:
      return classifyForbidden(message);
    case 408:
    case 429:
      return { kind: 'transient', reason: `HTTP ${status}: ${message}` };
    default:
      // 400 (unknown report, missing parameters, range too long), 401 (no token), redirects
      // and other surprises: a retry sends the same request and gets the same answer.
      return { kind: 'misconfigured', status, message };
  }
}

function saysNoRecords(envelope: ParsedEnvelope): boolean {
  const noData =
    envelope.dataShape === 'absent' ||
    (envelope.dataShape === 'other' && (envelope.otherData === null || envelope.otherData === ''));
  const msg = envelope.members.msg;
  return noData && typeof msg === 'string' && /^\s*0 records? (were |was )?found/i.test(msg);
}

function classifyForbidden(message: string): ResponseClass {
  const text = message.toUpperCase();
  if (text.includes('PLEASE VALIDATE TOKEN')) return { kind: 'token-rejected', message };
  if (text.includes('TOKEN LIMIT EXCEEDED')) return { kind: 'budget-exhausted', message };
  if (text.includes('SIMULTANEOUS')) {
    return { kind: 'transient', reason: `HTTP 403 too many simultaneous requests: ${message}` };
  }
  // During the vendor's backups the API answers 403 with a maintenance notice whose wording is
  // not documented; any other 403 is read as that, which a later attempt outlives.
  return { kind: 'transient', reason: `HTTP 403 (maintenance?): ${message}` };
}
