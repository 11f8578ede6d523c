import type { CompressionTypes, Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { EventPublisher, FencedError, type PublishBatch } from '../ports/event-publisher.port.js';

export interface TransactionalPublisherOptions {
  topics: { events: string; deadLetters: string; progress: string };
  /** One per operation: a second poller of the same operation fences the first. */
  transactionalId: string;
  maxEventBytes: number;
  /** Bytes of messages per produce request; each partition's record batch stays under it. */
  maxRequestBytes?: number;
  /**
   * None unless set. GZIP (the only codec kafkajs has built in) cut the publisher's throughput
   * by more than half and nearly tripled its CPU on loopback (BENCHMARKS.md); it can pay only
   * where the network to the brokers, not the CPU, is the limit.
   */
  compression?: CompressionTypes;
  transactionTimeoutMs?: number;
  /** Runs before the first claim (creating or checking topics); retried until it succeeds once. */
  prepare?: () => Promise<unknown>;
}

/**
 * Bytes of messages per produce request unless configured. Measured on 60,000 events of 1-50 KB
 * (BENCHMARKS.md, "Tuning the publisher"): 900 KiB and 2 MiB are equally fast; 256 KiB is 20
 * to 40% slower (3.5 times the round trips) and 4 to 7 MiB are slower too, with a third to two
 * thirds more CPU. Below 1 MB, a request also fits the broker's default `max.message.bytes`,
 * which the progress topic keeps: all its checkpoint chunks go to one partition, so one
 * request's worth of them is one record batch.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 900 * 1024;

const FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/**
 * The kafkajs adapter of EventPublisher: one idempotent, transactional producer per operation.
 * Each window's events, dead letters and checkpoint go in one transaction.
 *
 * What kafkajs really does, and what this relies on (checked in kafka-broker.e2e-spec.ts and
 * the poller's e2e tests):
 * - the producer id and epoch are asked for on the first `transaction()`, not on `connect()`, so
 *   `claim()` opens and drops an empty transaction to fence a rival at once;
 * - after a failed send, `abort()` can fail and leave the producer unusable ("Cannot call
 *   beginTransaction in state ABORTING", kafkajs #1355, #1416). So a failed batch drops the
 *   producer; the next `claim()` makes a new one, whose InitProducerId aborts the unfinished
 *   transaction on the broker.
 */
export class KafkaTransactionalPublisher extends EventPublisher {
  private producer: Producer | undefined;
  private fenced = false;
  private prepared = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: TransactionalPublisherOptions,
  ) {
    super();
  }

  get claimed(): boolean {
    return this.producer !== undefined;
  }

  async claim(): Promise<void> {
    if (this.fenced) throw this.fencedError();
    await this.dropProducer();
    await this.prepare();
    const producer = this.kafka.producer({
      idempotent: true,
      transactionalId: this.options.transactionalId,
      // Costs nothing: with idempotence kafkajs holds a lock per broker around each produce
      // request (eosManager.acquireBrokerLock), so one is in flight per broker in any case.
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs ?? 120_000,
      allowAutoTopicCreation: false,
    });
    try {
      await producer.connect();
      const claim = await producer.transaction();
      await claim.abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw this.classify(error);
    }
    this.producer = producer;
  }

  async prepare(): Promise<void> {
    if (this.prepared || !this.options.prepare) return;
    await this.options.prepare();
    this.prepared = true;
  }

  async publish(batch: PublishBatch): Promise<void> {
    if (this.fenced) throw this.fencedError();
    const producer = this.producer;
    if (!producer) throw new Error('publish() before claim()');
    const compression = this.options.compression;
    try {
      const transaction = await producer.transaction();
      for (const topicMessages of this.requests(batch)) {
        await transaction.sendBatch({
          topicMessages,
          ...(compression !== undefined ? { compression } : {}),
        });
      }
      await transaction.commit();
    } catch (error) {
      await this.dropProducer();
      throw this.classify(error);
    }
  }

  maxEventBytes(): number {
    return this.options.maxEventBytes;
  }

  async close(): Promise<void> {
    await this.dropProducer();
  }

  /** Splits the batch into produce requests of bounded size, events first, checkpoint last. */
  private *requests(batch: PublishBatch): Generator<TopicMessages[]> {
    const limit = this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const { events, deadLetters, progress } = this.options.topics;
    const all: Array<[string, Message]> = [
      ...batch.events.map((m) => [events, m] as [string, Message]),
      ...batch.deadLetters.map((m) => [deadLetters, m] as [string, Message]),
      ...batch.checkpoint.map((m) => [progress, m] as [string, Message]),
    ];
    let request = new Map<string, Message[]>();
    let bytes = 0;
    for (const [topic, message] of all) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > limit) {
        yield toTopicMessages(request);
        request = new Map();
        bytes = 0;
      }
      const list = request.get(topic);
      if (list) list.push(message);
      else request.set(topic, [message]);
      bytes += size;
    }
    if (bytes > 0 || request.size) yield toTopicMessages(request);
  }

  private classify(error: unknown): Error {
    if (isFenced(error)) {
      this.fenced = true;
      return this.fencedError();
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private fencedError(): FencedError {
    return new FencedError(
      `another poller took over transactional id ${this.options.transactionalId}; this one stops publishing`,
    );
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

function isFenced(error: unknown): boolean {
  for (
    let e = error as { type?: string; originalError?: unknown; cause?: unknown } | undefined,
      depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.type && FENCED.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

function sizeOf(message: Message): number {
  let size =
    64 +
    (message.key ? Buffer.byteLength(message.key) : 0) +
    (message.value ? Buffer.byteLength(message.value) : 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += name.length + (value ? Buffer.byteLength(value as string | Buffer) : 0);
  }
  return size;
}

function toTopicMessages(request: Map<string, Message[]>): TopicMessages[] {
  return [...request].map(([topic, messages]) => ({ topic, messages }));
}
