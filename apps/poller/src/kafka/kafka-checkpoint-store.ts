import { Logger } from '@nestjs/common';
import type { Owner } from '../lease/lease.js';
import { CheckpointStore, type Checkpoint } from '../ports/checkpoint-store.port.js';
import {
  decodeCheckpoint,
  decodeOwner,
  encodeCheckpoint,
  type ProgressMessage,
  type StoredCheckpoint,
} from './checkpoint-codec.js';
import { clientOf, type KafkaClient, type KafkaLike } from './kafka-client.js';
import type { CheckpointEncoder } from './kafka-transaction.js';
import type { AclGrantee } from './required-acls.js';

/**
 * The operation's checkpoint on the compacted progress topic, both ways: read back with
 * read_committed (the latest value of each key, as compaction would leave it, then decoded),
 * and encoded for the transactional publisher as the continuation of the one last read or
 * committed (its generation, and the chunks it must delete). Call `load()` only after the
 * publisher's claim(): claiming aborts any transaction a previous owner left open, so the
 * topic's end is stable.
 */
export class KafkaCheckpointStore extends CheckpointStore implements CheckpointEncoder {
  /** The checkpoint the next one follows: none stored yet is generation 0 with no chunk. */
  private last: Pick<StoredCheckpoint, 'generation' | 'chunks'> = { generation: 0, chunks: 0 };
  private readonly logger = new Logger('Checkpoint');
  private readonly client: KafkaClient;

  constructor(
    kafka: KafkaLike,
    private readonly topic: string,
    private readonly server: string,
    private readonly timeoutMs = 60_000,
    private readonly clock: () => Date = () => new Date(),
    /** Who to grant a missing ACL to, in the error that names it. */
    private readonly grantee?: AclGrantee,
  ) {
    super();
    this.client = clientOf(kafka);
  }

  async load(): Promise<Checkpoint | null> {
    const stored = await this.loadStored();
    this.last = { generation: stored?.generation ?? 0, chunks: stored?.chunks ?? 0 };
    return (
      stored && { progress: stored.progress, ...(stored.owner ? { owner: stored.owner } : {}) }
    );
  }

  /** The checkpoint with its storage fields, for an operator (the CLI's `checkpoint`). */
  async loadStored(): Promise<StoredCheckpoint | null> {
    return decodeCheckpoint(this.server, await this.latestValues(false));
  }

  encode(checkpoint: Checkpoint): { messages: ProgressMessage[]; committed(): void } {
    const { messages, stored } = encodeCheckpoint(
      this.server,
      checkpoint.progress,
      this.last.generation + 1,
      this.last.chunks,
      this.clock(),
      checkpoint.owner,
    );
    const { generation, chunks } = stored;
    return { messages, committed: () => (this.last = { generation, chunks }) };
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
    const latest = new Map<string, string | null>();
    const prefix = this.server;
    const started = Date.now();
    await this.client.readToEnd(this.topic, {
      timeoutMs: this.timeoutMs,
      readUncommitted,
      ...(this.grantee ? { grantee: this.grantee } : {}),
      onMessage: ({ message }) => {
        const key = message.key?.toString();
        if (key === undefined || (key !== prefix && !key.startsWith(`${prefix}/`))) return;
        latest.set(key, message.value ? message.value.toString() : null);
      },
    });
    // A read runs at start-up and after each failed publish: its time is part of a failover's.
    this.logger.debug(
      `read ${this.topic} to its end (${readUncommitted ? 'uncommitted' : 'committed'}) in ${Date.now() - started} ms`,
    );
    return latest;
  }
}
