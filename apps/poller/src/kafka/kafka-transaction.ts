import type { Topics } from '@app/contracts';
import type { CompressionTypes } from 'kafkajs';
import type { Checkpoint } from '../ports/checkpoint-store.port.js';
import type { OutgoingMessage, PublishTransaction } from '../ports/event-publisher.port.js';
import type { ProgressMessage } from './checkpoint-codec.js';
import type { ClientTransaction, TransactionalProducer } from './kafka-client.js';
import { retryConcurrentTransactions } from './kafka-errors.js';
import { RequestQueue } from './request-queue.js';

/**
 * Turns the checkpoint value the cycle hands over into progress-topic messages, and learns once
 * they committed what the next checkpoint follows (CheckpointChain).
 */
export interface CheckpointEncoder {
  encode(checkpoint: Checkpoint): { messages: ProgressMessage[]; committed(): void };
}

export interface KafkaTransactionOptions {
  topics: Topics;
  maxRequestBytes: number;
  compression: CompressionTypes | undefined;
  /**
   * Called once with the first error: drops the producer (kafkajs cannot be trusted to abort
   * after a failed send) and says what to throw (FencedError when a rival took over).
   */
  fail: (error: unknown) => Promise<Error>;
  /** None for a publisher that writes no checkpoint (backfill, reconciliation). */
  checkpoints?: CheckpointEncoder;
}

/**
 * One Kafka transaction fed as a window is mapped: messages queue until a request's worth is
 * ready, then go as one `sendBatch` while the caller maps the next ones. At most one request is
 * in flight (with idempotence kafkajs serialises produce requests per broker anyway), and `send`
 * waits for it before starting the next, so what is held is bounded by about two requests.
 * The kafkajs transaction starts with the first request: a window with nothing to publish but
 * its checkpoint costs one request and the commit, as before.
 */
export class KafkaTransaction implements PublishTransaction {
  private readonly queue: RequestQueue;
  private transaction: ClientTransaction | undefined;
  private inFlight: Promise<unknown> | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(
    private readonly producer: TransactionalProducer,
    private readonly options: KafkaTransactionOptions,
  ) {
    this.queue = new RequestQueue(options.maxRequestBytes);
  }

  async send(events: OutgoingMessage[], deadLetters: OutgoingMessage[]): Promise<void> {
    this.checkOpen();
    const { topics } = this.options;
    this.queue.add(topics.events, events);
    this.queue.add(topics.deadLetters, deadLetters);
    await this.guard(async () => {
      while (this.queue.full) await this.dispatch();
    });
  }

  async commit(checkpoint?: Checkpoint): Promise<void> {
    if (!checkpoint) return this.commitWith([]);
    const { checkpoints } = this.options;
    if (!checkpoints) throw new Error('this publisher writes no checkpoint');
    const encoded = checkpoints.encode(checkpoint);
    await this.commitWith(encoded.messages);
    encoded.committed();
  }

  /** Writes `progress` last (a checkpoint's messages, or another record of the progress topic). */
  async commitWith(progress: ProgressMessage[]): Promise<void> {
    this.checkOpen();
    this.queue.add(this.options.topics.progress, progress);
    await this.guard(async () => {
      while (!this.queue.empty) await this.dispatch();
      await this.settle();
      await this.transaction?.commit();
    });
    this.ended = true;
  }

  async abort(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.failure) return; // the producer is gone, and the broker aborts what it left
    await this.inFlight?.catch(() => undefined);
    try {
      await this.transaction?.abort();
    } catch (error) {
      await this.options.fail(error);
    }
  }

  /** Starts the next request once the one in flight is acknowledged. */
  private async dispatch(): Promise<void> {
    await this.settle();
    const topicMessages = this.queue.take();
    this.transaction ??= await this.producer.transaction();
    const { compression } = this.options;
    const transaction = this.transaction;
    // A refusal of AddPartitionsToTxn (CONCURRENT_TRANSACTIONS) comes before anything is
    // produced or any sequence number taken, so the same request can go again.
    const request = retryConcurrentTransactions(() =>
      transaction.sendBatch({
        topicMessages,
        ...(compression !== undefined ? { compression } : {}),
      }),
    );
    // Awaited by the next dispatch or the commit; this keeps a failure in between from being
    // reported as unhandled.
    request.catch(() => undefined);
    this.inFlight = request;
  }

  private async settle(): Promise<void> {
    const request = this.inFlight;
    this.inFlight = undefined;
    await request;
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.failure ??= await this.options.fail(error);
      this.ended = true;
      throw this.failure;
    }
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error('transaction already committed or aborted');
  }
}
