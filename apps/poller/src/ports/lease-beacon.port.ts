import type { Owner } from '../lease/lease.js';

/**
 * Port: sends the holder's heartbeat outside the poll cycle's transactions. A checkpoint carries
 * one too, but one cycle can outlast the lease (a 60 s API call, its retries): without this a
 * standby would take a live poller's operation in the middle of a slow read (lease.ts).
 */
export abstract class LeaseBeacon {
  /** Best effort: a failure is for the caller to ignore; the next heartbeat or checkpoint follows. */
  abstract renew(owner: Owner): Promise<void>;
  abstract close(): Promise<void>;
}
