import type { FaultKind } from './fault-plan.js';

/** How the simulator answered a call. */
export type CallOutcome =
  | 'data'
  | 'empty'
  | 'missing-token'
  | 'bad-token'
  | 'quota-exceeded'
  | 'too-many-simultaneous'
  | 'unknown-api'
  | 'missing-params'
  | 'range-too-long'
  | FaultKind
  /** The client went away before the answer was complete (its timeout, most likely). */
  | 'client-closed';

/** One call received on the API path, for tests and the demo. The token is never logged. */
export interface CallLogEntry {
  seq: number;
  /** RFC 3339 UTC. */
  receivedAt: string;
  api: string | undefined;
  dateIni: string | undefined;
  dateEnd: string | undefined;
  token: 'valid' | 'missing' | 'wrong';
  /** Calls with the valid token in flight when this one arrived (itself included if its token is valid). */
  concurrency: number;
  /** The HTTP status sent; null when no answer was sent (reset, client gone). */
  status: number | null;
  outcome: CallOutcome;
  /** The fault injected into this call, if any (a hung call may still end with data). */
  fault?: FaultKind;
  /** Records in the response. */
  returned?: number;
  /** The quota's count for the day after this call. */
  quotaUsed?: number;
  /** RFC 3339 UTC, when the answer was complete or the connection closed. */
  finishedAt?: string;
}

export class CallLog {
  #entries: CallLogEntry[] = [];
  #seq = 0;

  open(entry: Omit<CallLogEntry, 'seq'>): CallLogEntry {
    const opened: CallLogEntry = { seq: ++this.#seq, ...entry };
    this.#entries.push(opened);
    return opened;
  }

  entries(): readonly CallLogEntry[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
    this.#seq = 0;
  }
}
