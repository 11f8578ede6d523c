import type { Owner } from '../lease/lease.js';
import type { Progress, SweepState } from '../cycle/progress.js';

/**
 * What the poll cycle hands over to be kept with the events it covers, and gets back after a
 * restart: its progress, and who held the operation when it was written. How it is stored (keys,
 * chunks, generations) is the adapter's business, as Kafka Connect's OffsetStorageWriter keeps
 * a task's offsets.
 */
export interface Checkpoint {
  progress: Progress;
  /** The sweep in progress when this was written: a restart continues it (see SweepState). */
  sweep?: SweepState;
  /** Absent in checkpoints written before leases existed. */
  owner?: Owner;
}

/**
 * The stored checkpoint cannot be trusted (corrupt, or written by a newer release): the poller
 * must not guess where it stands.
 */
export class CorruptCheckpointError extends Error {
  override readonly name = 'CorruptCheckpointError';
}

/** Port: where the poller's progress is read back from (the compacted progress topic). */
export abstract class CheckpointStore {
  /**
   * The operation's latest committed checkpoint, or null on the very first run. Throws
   * CorruptCheckpointError when what is stored cannot be read.
   */
  abstract load(): Promise<Checkpoint | null>;
  /**
   * Who holds the operation's lease, from the latest heartbeat written, committed or not: a live
   * owner's open transaction counts, and a crashed owner's must not make this wait until the
   * transaction times out.
   */
  abstract peekOwner(): Promise<Owner | undefined>;
}
