import type { Cdr9Record, Cdr9Validation, WallSeconds } from '@app/contracts';
import type { ResponseClass } from './classify-response.js';

/** A query window in the operation's wall time, inclusive at both ends (whole seconds). */
export interface WallWindow {
  from: WallSeconds;
  to: WallSeconds;
}

export interface ValidRecord {
  record: Cdr9Record;
  /** The record's `date` as wall seconds. */
  wall: WallSeconds;
}

/** An element of `data` that failed validation, for the dead-letter topic. */
export interface InvalidRecord {
  raw: unknown;
  reason: string;
}

/** `calls` is how many HTTP requests (budget units) the fetch spent, retries included. */
interface Spent {
  calls: number;
}

/**
 * Where `streamWindow` hands the elements of `data` as they are parsed, so that a caller can
 * map and publish a 256 MB response without ever holding it, or its records, whole.
 */
export interface RecordSink {
  /** Each element, validated, in the order sent. Runs inside the parser: synchronous. */
  accept(element: Cdr9Validation): void;
  /** Runs after each chunk of the body; reading the socket waits for it (backpressure). */
  drain(): Promise<void>;
  /**
   * Everything accepted since the attempt began is void: the attempt failed (a reset mid-body,
   * invalid JSON, a 5xx...) and may be retried from scratch. Called after every failed attempt,
   * whether it handed elements over or not.
   */
  discard(): Promise<void>;
}

/**
 * 200 with data, or 404 "Validate dates entered" (then empty, `httpStatus` 404), when the
 * elements went to a sink.
 */
export interface RecordsStreamed extends Spent {
  kind: 'records';
  /** Elements of `data` as sent, valid or not. */
  returned: number;
  /** `returned` reached the truncation limit: the API may have cut the window; split it. */
  possiblyTruncated: boolean;
  /** 200, or 404 for an empty window (a 404 that never ends may mean the report is missing). */
  httpStatus: number;
}

/** A {@link RecordsStreamed} with the elements collected: what `fetchWindow` returns. */
export interface RecordsOutcome extends RecordsStreamed {
  records: ValidRecord[];
  invalid: InvalidRecord[];
}

/** The call hit the client's per-call timeout. Not retried: the poller splits the window. */
export interface TimedOutOutcome {
  kind: 'timed-out';
}

/** 403 PLEASE VALIDATE TOKEN. The client refuses further calls until `resetTokenRejection()`. */
export interface TokenRejectedOutcome {
  kind: 'token-rejected';
  message: string;
}

/** 403 TOKEN LIMIT EXCEEDED (`api`), or no unit left in the local budget (`local`, no call made). */
export interface BudgetExhaustedOutcome {
  kind: 'budget-exhausted';
  /** The start of the next local day of the operation. */
  resetsAt: WallSeconds;
  source: 'api' | 'local';
}

/** 400, 401, or another answer no retry can change: fail loudly. */
export interface MisconfiguredOutcome {
  kind: 'misconfigured';
  status: number;
  message: string;
}

/** Transient faults outlasted every attempt (5xx, resets, invalid JSON, maintenance 403s). */
export interface UnavailableOutcome {
  kind: 'unavailable';
  attempts: number;
  lastError: string;
}

/**
 * Why a read of a window gave no usable answer: the one description of an API failure, from
 * which the poller's logs, readiness, next delay and metrics all read.
 */
export type SourceFailure =
  | TimedOutOutcome
  | TokenRejectedOutcome
  | BudgetExhaustedOutcome
  | MisconfiguredOutcome
  | UnavailableOutcome;

export type FetchOutcome = RecordsOutcome | (SourceFailure & Spent);

export type StreamOutcome = RecordsStreamed | (SourceFailure & Spent);

/** One HTTP request, as `onCall` hears of it. */
export interface CallReport {
  window: WallWindow;
  /** 1 for the first attempt of the window. */
  attempt: number;
  /** Undefined when no response arrived (timeout, reset). */
  httpStatus?: number;
  /** `abandoned`: the caller stopped reading (its sink failed, or it aborted). */
  result: ResponseClass['kind'] | 'timed-out' | 'network-error' | 'abandoned';
  /** Elements of `data` in the response. */
  returned: number;
  durationMs: number;
  /** Why a call failed, when it did. */
  detail?: string;
}
