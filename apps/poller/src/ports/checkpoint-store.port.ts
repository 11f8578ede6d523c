import type { Owner } from '../lease/lease.js';
import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';

/**
 * The poller's progress through one operation's cdr_9 report: what the checkpoint stores and
 * what a restart resumes from.
 *
 * Two positions, because records can show up late (an old `date` that the API starts returning
 * later):
 * - `cursor`: every date before it has been read at least once.
 * - `settledBefore`: every date before it was read at a moment when it was already older than the
 *   look-back, so no late record can still appear there; it is never read again. Each sweep
 *   re-reads from here, which is what re-reads the look-back for late records.
 * `seen` holds the keys published for dates at or after `settledBefore`: re-reading that span
 * finds them again, and they are not published twice.
 */
export interface Progress {
  cursor: WallSeconds;
  settledBefore: WallSeconds;
  seen: SeenKeys;
  /** Requests spent on the operation's local day `day` (the API budget is per local day). */
  budget?: { day: string; used: number };
}

/**
 * Where the sweep in progress stands. A sweep reads from `start` (the settled position when it
 * began) to `end` (the present then), window after window. Kept in the checkpoint so that a
 * poller restarted after a cut (a crash loop, an OOM kill, a deploy) reads the piece it was
 * about to read, sized by the density it had learnt, instead of a 31-day window that the API
 * cuts again and again until the same split is found.
 */
export interface SweepState {
  start: WallSeconds;
  /** The next window of the sweep starts here. */
  position: WallSeconds;
  end: WallSeconds;
  /** Valid records its windows held. */
  records: number;
  /** Records per second that windows are sized by (the sweep's, or the last sweep's). */
  density?: number;
  /**
   * The smaller piece of a window that came back cut or timed out, to read next, and how often
   * its range was cut; `whole`: the same window, to be read again held whole.
   */
  retry?: { window: WallWindow; splits: number; whole?: boolean };
}

/** Idempotency keys published, with the wall second of their record's `date`. */
export type SeenKeys = ReadonlyMap<string, WallSeconds>;

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
