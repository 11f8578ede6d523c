import type { IHeaders } from 'kafkajs';
import type { CheckpointMessage } from '../poll/checkpoint-codec.js';

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: IHeaders;
}

/** Everything one window produces, published all-or-nothing. */
export interface PublishBatch {
  events: OutgoingMessage[];
  deadLetters: OutgoingMessage[];
  checkpoint: CheckpointMessage[];
}

/** Another poller of the same operation took over: this one must stop publishing for good. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
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
  /** Throws FencedError when another poller took over; any other error leaves nothing published. */
  abstract publish(batch: PublishBatch): Promise<void>;
  /** Largest message the events topic accepts, for the oversize policy. */
  abstract maxEventBytes(): number;
  abstract close(): Promise<void>;
}
