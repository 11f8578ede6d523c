import type { Owner, StoredCheckpoint } from '../poll/checkpoint-codec.js';

/** Port: where the poller's progress is read back from (the compacted progress topic). */
export abstract class CheckpointStore {
  /** The operation's latest committed checkpoint, or null on the very first run. */
  abstract load(): Promise<StoredCheckpoint | null>;
  /**
   * Who holds the operation's lease, from the latest head written, committed or not: a live
   * owner's open transaction counts as a heartbeat, and a crashed owner's must not make this
   * wait until the transaction times out.
   */
  abstract peekOwner(): Promise<Owner | undefined>;
}
