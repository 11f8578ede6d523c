import { Logger } from '@nestjs/common';
import type { Owner } from '../lease/lease.js';
import { CheckpointStore, type Checkpoint } from '../ports/checkpoint-store.port.js';
import type { CheckpointChain } from './checkpoint-chain.js';
import { decodeCheckpoint, decodeOwner, type StoredCheckpoint } from './checkpoint-codec.js';
import type { ProgressLog } from './progress-log.js';

/**
 * The operation's checkpoint read back from the compacted progress topic with read_committed
 * (the latest value of each key, as compaction would leave it, then decoded), through the
 * process's ProgressLog. What it loads moves the publisher's chain (CheckpointChain), which
 * writes the next checkpoint as its continuation. Call `load()` only after the publisher's
 * claim(): claiming aborts any transaction a previous owner left open, so the topic's end is
 * stable.
 */
export class KafkaCheckpointStore extends CheckpointStore {
  private readonly logger = new Logger('Checkpoint');

  constructor(
    private readonly log: ProgressLog,
    private readonly server: string,
    /** The live publisher's chain; none for a reader that writes no checkpoint (the CLI). */
    private readonly chain?: CheckpointChain,
  ) {
    super();
  }

  async load(): Promise<Checkpoint | null> {
    const stored = await this.loadStored();
    this.chain?.follow(stored);
    if (!stored) return null;
    const { progress, sweep, owner } = stored;
    return { progress, ...(sweep ? { sweep } : {}), ...(owner ? { owner } : {}) };
  }

  /** The checkpoint with its storage fields, for an operator (the CLI's `checkpoint`). */
  async loadStored(): Promise<StoredCheckpoint | null> {
    return decodeCheckpoint(this.server, await this.latestValues(false));
  }

  async peekOwner(): Promise<Owner | undefined> {
    // read_committed would stop at an open transaction until it ends: a crashed owner's lasts
    // until the transaction timeout.
    return decodeOwner(this.server, await this.latestValues(true));
  }

  /** The latest committed value of each of the operation's keys, undecoded (the CLI's reset). */
  latestCommitted(): Promise<Map<string, string | null>> {
    return this.latestValues(false);
  }

  private async latestValues(readUncommitted: boolean): Promise<Map<string, string | null>> {
    const started = Date.now();
    const latest = await this.log.latest(this.server, readUncommitted);
    // A read runs at start-up and after each failed publish: its time is part of a failover's.
    this.logger.debug(
      `read the progress topic on to its end (${readUncommitted ? 'uncommitted' : 'committed'}) in ${Date.now() - started} ms`,
    );
    return latest;
  }
}
