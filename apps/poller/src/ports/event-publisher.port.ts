import type { Checkpoint } from './checkpoint-store.port.js';

/** An event or a dead letter, encoded (libs/contracts), ready for its topic. */
export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Readonly<Record<string, string>>;
}

/** Everything one window produces, published all-or-nothing. */
export interface PublishBatch {
  events: OutgoingMessage[];
  deadLetters: OutgoingMessage[];
  /** None for a run that keeps no progress of its own (a backfill, a reconciliation pass). */
  checkpoint?: Checkpoint;
}

/** Another poller of the same operation took over: this one must stop publishing for good. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

/**
 * One window's messages, handed over as they are mapped and made visible all or nothing: a
 * subscriber reading with read_committed sees them only after `commit`, together with the
 * checkpoint that covers them.
 */
export interface PublishTransaction {
  /**
   * Adds messages to the transaction. Resolves once they are written or queued within the
   * publisher's bounds, so awaiting it is the backpressure; rejects (FencedError, or any other
   * error, after which nothing of this transaction is published) when a write failed.
   */
  send(events: OutgoingMessage[], deadLetters: OutgoingMessage[]): Promise<void>;
  /**
   * Writes the checkpoint last (the adapter encodes it) and commits everything sent; without
   * one, commits what was sent alone.
   */
  commit(checkpoint?: Checkpoint): Promise<void>;
  /** Drops everything sent: none of it ever becomes visible. Never rejects. */
  abort(): Promise<void>;
}

/**
 * Port: where events, dead letters and progress go. `publish` is atomic: a subscriber reading
 * with read_committed sees the whole batch or none of it, and the checkpoint never moves without
 * the events it covers. Bound to the kafkajs transactional adapter in the module.
 */
export abstract class EventPublisher {
  /** Creates or checks the topics it writes to; runs before anything reads them. Idempotent. */
  abstract prepare(): Promise<void>;
  /**
   * Takes ownership of the operation's transactional id: any other publisher of the same
   * operation is fenced from now on, and its unfinished transaction aborted. Progress must be
   * (re)loaded after each claim, since the previous owner may have moved it.
   */
  abstract claim(): Promise<void>;
  /** Opens a transaction (lazily: nothing happens until the first message or the commit). */
  abstract begin(): PublishTransaction;
  /** Throws FencedError when another poller took over; any other error leaves nothing published. */
  async publish(batch: PublishBatch): Promise<void> {
    const transaction = this.begin();
    try {
      await transaction.send(batch.events, batch.deadLetters);
      await transaction.commit(batch.checkpoint);
    } catch (error) {
      await transaction.abort();
      throw error;
    }
  }
  /**
   * Largest message the events topic accepts (as a record batch of its own), for the oversize
   * policy: the smaller of EVENTS_MAX_MESSAGE_BYTES and the topic's limit, as far as known.
   */
  abstract maxEventBytes(): number;
  /** Largest message the dead-letter topic accepts; a dead letter is cut to fit it. */
  maxDeadLetterBytes(): number {
    return this.maxEventBytes();
  }
  abstract close(): Promise<void>;
}
