import { isValidTimeZone, SERVER_CODE_PATTERN, TOKEN_PATTERN } from '@app/contracts';
import type { Dispatcher } from 'undici';
import type { RetryPolicy } from './backoff.js';
import type { Clock, Sleep } from './clock.js';
import type { CallReport } from './fetch-outcome.js';
import type { RequestBudget } from './request-budget.js';

/** The documented cap of records per call: a response this long may have been cut. */
export const DEFAULT_TRUNCATION_LIMIT = 60_000;
/** The documented cap of one call. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/**
 * How long after it was sent a call the client gave up on may still run on the server, and
 * count against the token's simultaneous requests: the API's 60 s cap and a margin.
 */
export const DEFAULT_ABANDONED_CALL_MS = 65_000;
export const REPORTS_MANAGER_PATH = '/api/v2/reports_manager.php';

export interface WolkvoxClientOptions {
  /** The operation's server code: `0010` in `wv0010.wolkvox.com`. Letters, digits and `-`. */
  server: string;
  token: string;
  /** Where to reach the API instead of `https://wv{server}.wolkvox.com` (the simulator, a proxy). */
  baseUrl?: string;
  /** The operation's IANA zone: query times and record dates are its wall time. */
  timeZone: string;
  /** Calls in flight at once; Wolkvox allows 2 per token and suggests 1. */
  maxConcurrency: 1 | 2;
  callTimeoutMs?: number;
  /**
   * A call given up on (timeout, reset, the caller stopping) keeps its slot until this long
   * after it was sent, since the server may still be running it.
   */
  abandonedCallMs?: number;
  retry: RetryPolicy;
  budget: RequestBudget;
  /** A response of at least this many records may have been cut. */
  truncationLimit?: number;
  /** Another undici dispatcher (MockAgent in tests); the client then owns no connection pool. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** How the client waits between attempts (tests record the delays instead). */
  sleep?: Sleep;
  /** Uniform in [0, 1): the jitter of the backoff. */
  random?: () => number;
  /** Told about every HTTP request (for metrics and logs); never sees the token. */
  onCall?: (report: CallReport) => void;
}

/**
 * The origin and path of the cdr_9 endpoint. The server code may hold only letters, digits and
 * `-`, so no value of it can turn `wv{server}.wolkvox.com` into another host that then
 * receives the token.
 */
export function resolveEndpoint(
  server: string,
  baseUrl?: string,
): { origin: string; path: string } {
  if (!SERVER_CODE_PATTERN.test(server)) {
    throw new RangeError(
      `server must be letters, digits and '-' only, got ${JSON.stringify(server)}`,
    );
  }
  if (baseUrl === undefined) {
    return { origin: `https://wv${server}.wolkvox.com`, path: REPORTS_MANAGER_PATH };
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new RangeError(`baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`baseUrl must be http or https, got ${url.protocol}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new RangeError('baseUrl must not carry credentials, a query or a fragment');
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, path: `${prefix}${REPORTS_MANAGER_PATH}` };
}

/** Throws a RangeError naming the first bad option; the message never contains the token. */
export function checkOptions(options: WolkvoxClientOptions): void {
  checkToken(options.token);
  if (!isValidTimeZone(options.timeZone)) {
    throw new RangeError(`timeZone is not a known IANA zone: ${JSON.stringify(options.timeZone)}`);
  }
  if (options.maxConcurrency !== 1 && options.maxConcurrency !== 2) {
    throw new RangeError(`maxConcurrency must be 1 or 2, got ${String(options.maxConcurrency)}`);
  }
  positiveInteger('callTimeoutMs', options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
  const abandoned = options.abandonedCallMs ?? DEFAULT_ABANDONED_CALL_MS;
  if (!Number.isInteger(abandoned) || abandoned < 0)
    throw new RangeError(`abandonedCallMs must be a whole number of ms, got ${abandoned}`);
  positiveInteger('truncationLimit', options.truncationLimit ?? DEFAULT_TRUNCATION_LIMIT);
  const { maxAttempts, baseDelayMs, maxDelayMs } = options.retry;
  positiveInteger('retry.maxAttempts', maxAttempts);
  if (!(Number.isFinite(baseDelayMs) && baseDelayMs >= 0)) {
    throw new RangeError(`retry.baseDelayMs must be >= 0, got ${baseDelayMs}`);
  }
  if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= baseDelayMs)) {
    throw new RangeError(`retry.maxDelayMs must be >= retry.baseDelayMs, got ${maxDelayMs}`);
  }
}

/**
 * Throws a RangeError, which never quotes the token, unless it can travel as a header: anything
 * but visible ASCII would be mangled or refused by undici with a message that might quote it.
 */
export function checkToken(token: unknown): void {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    throw new RangeError('token must be a non-empty string of visible ASCII characters');
  }
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
