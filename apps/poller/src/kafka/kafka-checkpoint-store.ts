import type { Kafka } from 'kafkajs';
import {
  decodeCheckpoint,
  decodeOwner,
  type Owner,
  type StoredCheckpoint,
} from '../poll/checkpoint-codec.js';
import { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { readTopicToEnd } from './topic-reader.js';

/**
 * Reads the operation's checkpoint back from the compacted progress topic with read_committed:
 * the latest value of each key, as compaction would leave it, then decoded. Call it only after
 * the publisher's claim(): claiming aborts any transaction a previous owner left open, so the
 * topic's end is stable.
 */
export class KafkaCheckpointStore extends CheckpointStore {
  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly server: string,
    private readonly timeoutMs = 60_000,
  ) {
    super();
  }

  async load(): Promise<StoredCheckpoint | null> {
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
    const latest = new Map<string, string | null>();
    const prefix = this.server;
    await readTopicToEnd(this.kafka, this.topic, {
      timeoutMs: this.timeoutMs,
      readUncommitted,
      onMessage: ({ message }) => {
        const key = message.key?.toString();
        if (key === undefined || (key !== prefix && !key.startsWith(`${prefix}/`))) return;
        latest.set(key, message.value ? message.value.toString() : null);
      },
    });
    return latest;
  }
}
