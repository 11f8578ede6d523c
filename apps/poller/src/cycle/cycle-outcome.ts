import type { SourceFailure, WallWindow } from '@app/wolkvox-client';
import type { Owner } from '../lease/lease.js';
import type { CorruptCheckpointError } from '../ports/checkpoint-store.port.js';
import type { FencedError } from '../ports/event-publisher.port.js';

/** What one poll cycle did: the loop's next delay, the status, the metrics and the logs read it. */
export type CycleOutcome =
  /** A window read completely and published with its checkpoint. */
  | {
      kind: 'published';
      window: WallWindow;
      fetched: number;
      events: number;
      deadLetters: number;
      duplicates: number;
      oversize: number;
      outOfWindow: number;
      /** A one-second window that still held the API's cut: records beyond it are out of reach. */
      overflowingSecond: boolean;
      lagSeconds: number;
      /** The API answered 404 "Validate dates entered" (no records). */
      notFound: boolean;
    }
  /** The sweep reached the present: wait for the next interval. */
  | { kind: 'caught-up'; lagSeconds: number }
  /** The window came back cut (or timed out) and will be read again in a smaller piece. */
  | { kind: 'split'; window: WallWindow; retry: WallWindow; reason: 'truncated' | 'timed-out' }
  /** The API gave no usable answer; nothing moved. */
  | { kind: 'source-failed'; window: WallWindow; outcome: SourceFailure }
  /** Kafka did not take the batch; nothing was published, the window will be read again. */
  | { kind: 'publish-failed'; window: WallWindow | undefined; error: Error }
  /** Another poller of this operation took over. */
  | { kind: 'fenced'; error: FencedError }
  /**
   * Records identical in the six fields differ in others: their numbers depend on all of them,
   * so the window is read again and held whole before it is mapped. Nothing moved.
   */
  | { kind: 'read-whole'; window: WallWindow }
  /** Another live poller holds the operation: this one waits, reading nothing. */
  | { kind: 'standby'; owner: Owner; retryInMs: number }
  /**
   * The checkpoint on the progress topic cannot be read (corrupt, or written by a newer
   * release): the poller must not guess where it stands, and publishes nothing until an
   * operator resets it (`cli checkpoint-reset`) or a release that reads it is deployed.
   */
  | { kind: 'checkpoint-unreadable'; error: CorruptCheckpointError };
