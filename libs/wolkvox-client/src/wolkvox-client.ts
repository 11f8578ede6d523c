import { inspect } from 'node:util';
import {
  MAX_QUERY_SPAN_SECONDS,
  startOfNextLocalDay,
  wallTimeOf,
  type WallSeconds,
} from '@app/contracts';
import { Pool, type Dispatcher } from 'undici';
import { backoffDelayMs, type RetryPolicy } from './backoff.js';
import { callReport } from './call-report.js';
import {
  checkOptions,
  DEFAULT_ABANDONED_CALL_MS,
  checkToken,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_TRUNCATION_LIMIT,
  resolveEndpoint,
  type WolkvoxClientOptions,
} from './client-options.js';
import { realSleep, systemClock, type Clock, type Sleep } from './clock.js';
import type {
  CallReport,
  FetchOutcome,
  InvalidRecord,
  RecordSink,
  StreamOutcome,
  TokenRejectedOutcome,
  ValidRecord,
  WallWindow,
} from './fetch-outcome.js';
import type { RequestBudget } from './request-budget.js';
import { CallSlots } from './call-slots.js';
import {
  mayStillRun,
  queryPath,
  readAttempt,
  SinkError,
  type Abandoned,
  type AttemptResult,
} from './streaming-read.js';

/** The documented longest query: 31 days between `date_ini` and `date_end`. */
export const MAX_WINDOW_SECONDS = MAX_QUERY_SPAN_SECONDS;

export interface FetchWindowOptions {
  /** Aborting rejects `fetchWindow` with the signal's reason, also while it waits to retry. */
  signal?: AbortSignal;
}

/**
 * Reads report cdr_9 of one Wolkvox operation. Every API outcome comes back as a
 * {@link FetchOutcome}; `fetchWindow` throws only for a window that is not one (RangeError) or
 * when the caller aborts.
 *
 * The token lives in a private field and goes nowhere but the `wolkvox-token` header: not in
 * messages (they are scrubbed of it too), not in `util.inspect` or `JSON.stringify` output. It
 * can be replaced while the client runs (`useToken`).
 */
export class WolkvoxClient {
  #token: string;
  readonly #server: string;
  readonly #origin: string;
  readonly #path: string;
  readonly #timeZone: string;
  readonly #callTimeoutMs: number;
  readonly #truncationLimit: number;
  readonly #retry: RetryPolicy;
  readonly #budget: RequestBudget;
  readonly #slots: CallSlots;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #onCall: ((report: CallReport) => void) | undefined;
  #tokenRejection: TokenRejectedOutcome | undefined;

  constructor(options: WolkvoxClientOptions) {
    const { origin, path } = resolveEndpoint(options.server, options.baseUrl);
    checkOptions(options);
    this.#token = options.token;
    this.#server = options.server;
    this.#origin = origin;
    this.#path = path;
    this.#timeZone = options.timeZone;
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.#truncationLimit = options.truncationLimit ?? DEFAULT_TRUNCATION_LIMIT;
    this.#retry = { ...options.retry };
    this.#budget = options.budget;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#slots = new CallSlots(
      options.maxConcurrency,
      options.abandonedCallMs ?? DEFAULT_ABANDONED_CALL_MS,
      this.#clock,
      this.#sleep,
    );
    this.#random = options.random ?? Math.random;
    this.#onCall = options.onCall;
    this.#ownsDispatcher = options.dispatcher === undefined;
    // One keep-alive pool to the one origin, no more sockets than calls allowed in flight.
    this.#dispatcher =
      options.dispatcher ??
      new Pool(origin, { connections: options.maxConcurrency, keepAliveTimeout: 30_000 });
  }

  /** The endpoint, without query or token (for logs and health output). */
  get endpoint(): string {
    return `${this.#origin}${this.#path}`;
  }

  /** True after 403 PLEASE VALIDATE TOKEN, until `resetTokenRejection()`. */
  get tokenRejected(): boolean {
    return this.#tokenRejection !== undefined;
  }

  /** Allows calls again after the token was refused (a new token was configured). */
  resetTokenRejection(): void {
    this.#tokenRejection = undefined;
  }

  /**
   * Counts every slot as taken until `untilMs` (epoch ms): a previous process of this
   * operation may have left calls running on the server when it was killed.
   */
  assumeCallsInFlightUntil(untilMs: number): void {
    this.#slots.takeAllUntil(untilMs);
  }

  /**
   * Sends `token` from the next request on (an operator rotated it) and, if it is another
   * token than the one refused, allows calls again at once.
   */
  useToken(token: string): void {
    checkToken(token);
    if (token === this.#token) return;
    this.#token = token;
    this.#tokenRejection = undefined;
  }

  /** Closes the connection pool (not a dispatcher passed in options). */
  async close(): Promise<void> {
    this.#slots.close();
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /**
   * Reads the records whose `date` lies in `window` (inclusive at both ends), retrying
   * transient faults with full-jitter exponential backoff. Each HTTP request spends one unit
   * of the budget first; with no unit left no request is made. Collects the records: a
   * maximal response is held whole (see `streamWindow` for the alternative).
   */
  async fetchWindow(window: WallWindow, options: FetchWindowOptions = {}): Promise<FetchOutcome> {
    let records: ValidRecord[] = [];
    let invalid: InvalidRecord[] = [];
    const outcome = await this.streamWindow(
      window,
      {
        accept: (element) => {
          if (element.ok) records.push({ record: element.record, wall: element.wall });
          else invalid.push({ raw: element.raw, reason: element.reason });
        },
        drain: () => Promise.resolve(),
        discard: () => {
          records = [];
          invalid = [];
          return Promise.resolve();
        },
      },
      options,
    );
    return outcome.kind === 'records' ? { ...outcome, records, invalid } : outcome;
  }

  /**
   * `fetchWindow`, handing each element of `data` to `sink` as it is parsed instead of
   * collecting them. An attempt that fails is followed by `sink.discard()` (whatever it handed
   * over is void) before any retry. An error thrown by the sink stops the read and is
   * rethrown as is (nothing is retried); the outcome says how the read ended otherwise.
   */
  async streamWindow(
    window: WallWindow,
    sink: RecordSink,
    options: FetchWindowOptions = {},
  ): Promise<StreamOutcome> {
    checkWindow(window);
    const { signal } = options;
    signal?.throwIfAborted();
    let calls = 0;
    let lastError = '';
    let sent: string | undefined;
    for (let attempt = 1; attempt <= this.#retry.maxAttempts; attempt++) {
      if (attempt > 1) {
        await this.#sleep(backoffDelayMs(this.#retry, attempt - 1, this.#random()), signal);
      }
      const release = await this.#slots.acquire(signal);
      let result: AttemptResult | undefined;
      let sentAt: number | undefined;
      try {
        // Checked after waiting for a slot: the call that held it may just have been refused.
        if (this.#tokenRejection) return { ...this.#tokenRejection, calls };
        if (!this.#budget.tryAcquire()) {
          return { kind: 'budget-exhausted', source: 'local', resetsAt: this.#nextDay(), calls };
        }
        calls += 1;
        sentAt = this.#clock.now().getTime();
        sent = this.#token;
        result = await this.#attempt(window, attempt, sink, signal);
      } catch (error) {
        if (error instanceof SinkError) throw error.original;
        throw error;
      } finally {
        // A call given up on may still run on the server and count against the token's
        // simultaneous requests: its slot stays taken until the server has surely ended it,
        // so that the poller never causes "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS" itself.
        if (sentAt !== undefined && mayStillRun(result))
          this.#slots.releaseAbandoned(release, sentAt);
        else release();
      }

      const succeeded =
        result.kind === 'answered' &&
        (result.class.kind === 'data' || result.class.kind === 'empty');
      if (!succeeded) await sink.discard();

      if (result.kind === 'timed-out') return { kind: 'timed-out', calls };
      if (result.kind === 'network-error') {
        lastError = result.reason;
        continue;
      }
      const { class: answer } = result;
      switch (answer.kind) {
        case 'data':
        case 'empty':
          return {
            kind: 'records',
            returned: answer.kind === 'data' ? result.returned : 0,
            possiblyTruncated: answer.kind === 'data' && result.returned >= this.#truncationLimit,
            httpStatus: result.httpStatus,
            calls,
          };
        case 'token-rejected': {
          const refusal = { kind: answer.kind, message: this.#scrub(answer.message) };
          // A refusal of a token replaced while the call was in flight must not block the new one.
          if (sent === this.#token) this.#tokenRejection = refusal;
          return { ...refusal, calls };
        }
        case 'budget-exhausted':
          this.#budget.markExhausted();
          return { kind: 'budget-exhausted', source: 'api', resetsAt: this.#nextDay(), calls };
        case 'misconfigured':
          return {
            kind: 'misconfigured',
            status: answer.status,
            message: this.#scrub(answer.message),
            calls,
          };
        case 'transient':
          lastError = answer.reason;
          continue;
      }
    }
    return { kind: 'unavailable', attempts: calls, lastError: this.#scrub(lastError), calls };
  }

  /** One HTTP request (see `readAttempt`), reported to `onCall` however it ended. */
  async #attempt(
    window: WallWindow,
    attempt: number,
    sink: RecordSink,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const started = performance.now();
    const read = await readAttempt(
      {
        dispatcher: this.#dispatcher,
        origin: this.#origin,
        path: queryPath(this.#path, window),
        token: this.#token,
        timeoutMs: this.#callTimeoutMs,
        scrub: (text) => this.#scrub(text),
      },
      sink,
      signal,
    );
    this.#report(window, attempt, started, read.httpStatus, read.result);
    if ('thrown' in read) throw read.thrown;
    return read.result;
  }

  #report(
    window: WallWindow,
    attempt: number,
    started: number,
    httpStatus: number | undefined,
    result: AttemptResult | Abandoned,
  ): void {
    if (!this.#onCall) return;
    const durationMs = Math.round(performance.now() - started);
    const report = callReport({ window, attempt, httpStatus, durationMs }, result, (text) =>
      this.#scrub(text),
    );
    try {
      this.#onCall(report);
    } catch {
      // An observer's bug must not turn a fetched window into a failure.
    }
  }

  #nextDay(): WallSeconds {
    return startOfNextLocalDay(wallTimeOf(this.#clock.now(), this.#timeZone));
  }

  /** Removes the token from text that leaves the client, whatever produced the text. */
  #scrub(text: string): string {
    return text.split(this.#token).join('[redacted]');
  }

  #summary(): Record<string, unknown> {
    return {
      server: this.#server,
      endpoint: this.endpoint,
      timeZone: this.#timeZone,
      maxConcurrency: this.#slots.capacity,
      tokenRejected: this.tokenRejected,
    };
  }

  toJSON(): Record<string, unknown> {
    return this.#summary();
  }

  [inspect.custom](): string {
    return `WolkvoxClient ${inspect(this.#summary())}`;
  }
}

function checkWindow(window: WallWindow): void {
  const { from, to } = window;
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    throw new RangeError(`window bounds must be whole wall seconds, got ${from}..${to}`);
  }
  if (from > to) throw new RangeError(`window starts after it ends: ${from}..${to}`);
  if (to - from > MAX_WINDOW_SECONDS) {
    throw new RangeError(`window longer than 31 days: ${from}..${to}`);
  }
}
