import type { StoredCheckpoint } from '../poll/checkpoint-codec.js';

/** Port: where the poller's progress is read back from (the compacted progress topic). */
export abstract class CheckpointStore {
  /** The operation's latest committed checkpoint, or null on the very first run. */
  abstract load(): Promise<StoredCheckpoint | null>;
}
