import type { Checkpoint } from '../ports/checkpoint-store.port.js';
import { encodeCheckpoint, type StoredCheckpoint } from './checkpoint-codec.js';
import type { CheckpointEncoder } from './kafka-transaction.js';

/** Where a stored checkpoint stands, as far as the next one must know. */
export type ChainPosition = Pick<StoredCheckpoint, 'generation' | 'chunks'>;

/**
 * The operation's checkpoints on the progress topic as one chain of generations: each is written
 * as the continuation of the last one stored (the next generation number, and tombstones for
 * the seen-key chunks it no longer uses). The transactional publisher encodes the checkpoint
 * value the cycle hands it here, and moves the chain once its transaction committed; the store
 * that reads checkpoints back only says where the chain stands after a load (`follow`), since
 * a rival owner may have moved it. Kafka Connect's OffsetStorageWriter takes offsets as values
 * and serializes them the same way, in the writer.
 */
export class CheckpointChain implements CheckpointEncoder {
  /** None stored yet: generation 0 with no chunk. */
  private last: ChainPosition = { generation: 0, chunks: 0 };

  constructor(
    private readonly server: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The checkpoint last read (or none stored yet): the next one continues it. */
  follow(stored: ChainPosition | null): void {
    this.last = { generation: stored?.generation ?? 0, chunks: stored?.chunks ?? 0 };
  }

  encode(checkpoint: Checkpoint) {
    const { messages, stored } = encodeCheckpoint(
      this.server,
      checkpoint,
      this.last.generation + 1,
      this.last.chunks,
      this.clock(),
    );
    return { messages, committed: () => this.follow(stored) };
  }
}
