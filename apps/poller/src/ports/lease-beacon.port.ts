import type { Owner } from '../poll/checkpoint-codec.js';

/**
 * Port: renews the operation's lease outside the poll cycle's transactions. A checkpoint renews
 * it too, but one cycle can outlast the lease (a 60 s API call, its retries): without this a
 * standby would take a live poller's operation in the middle of a slow read.
 */
export abstract class LeaseBeacon {
  /** Best effort: a failure is for the caller to ignore; the next renewal or checkpoint follows. */
  abstract renew(owner: Owner): Promise<void>;
  abstract close(): Promise<void>;
}
