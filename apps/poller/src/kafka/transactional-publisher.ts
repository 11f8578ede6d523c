import { Logger } from '@nestjs/common';
import type { Topics } from '@app/contracts';
import type { CompressionTypes } from 'kafkajs';
import { EventPublisher, FencedError } from '../ports/event-publisher.port.js';
import { authorizationFailure, errorKinds } from './authorization-failure.js';
import type { ProgressMessage } from './checkpoint-codec.js';
import {
  clientOf,
  type KafkaClient,
  type KafkaLike,
  type TransactionalProducer,
} from './kafka-client.js';
import { retryConcurrentTransactions } from './kafka-errors.js';
import { KafkaTransaction, type CheckpointEncoder } from './kafka-transaction.js';
import { limitAfterRefusal, startLimit, TOO_LARGE } from './message-limits.js';
import type { AclGrantee } from './required-acls.js';

export interface TransactionalPublisherOptions {
  topics: Topics;
  /** One per operation: a second poller of the same operation fences the first. */
  transactionalId: string;
  /** EVENTS_MAX_MESSAGE_BYTES: lowered to what the topics accept (message-limits.ts). */
  maxEventBytes: number;
  /** Who to grant a missing ACL to, in the message that names it. */
  grantee?: AclGrantee;
  /** Bytes of messages per produce request; each partition's record batch stays under it. */
  maxRequestBytes?: number;
  /**
   * None unless set. GZIP (the only codec kafkajs has built in) cut the publisher's throughput
   * by more than half and nearly tripled its CPU on loopback (BENCHMARKS.md); it can pay only
   * where the network to the brokers, not the CPU, is the limit.
   */
  compression?: CompressionTypes;
  transactionTimeoutMs?: number;
  /**
   * Runs before the first claim (creating or checking topics); retried until it succeeds once.
   * Returns the topics' `max.message.bytes` it learnt.
   */
  prepare?: () => Promise<{ maxMessageBytes: Record<string, number> } | void>;
  /** How checkpoints become progress messages; none for a publisher that writes none. */
  checkpoints?: CheckpointEncoder;
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

/**
 * A rival took the transactional id. Not TRANSACTIONAL_ID_AUTHORIZATION_FAILED: that is a
 * missing ACL, which an operator fixes (authorization-failure.ts), not another poller.
 */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * The Kafka adapter of EventPublisher (on either client, kafka-client.ts): one idempotent, transactional producer per operation.
 * Each window's events, dead letters and checkpoint go in one transaction (KafkaTransaction),
 * written while the window is still being read.
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
  private producer: TransactionalProducer | undefined;
  private readonly client: KafkaClient;
  private fenced = false;
  private prepared = false;
  private readonly logger = new Logger('Publisher');
  /** Largest record batch each topic takes, as far as the poller knows (message-limits.ts). */
  private limits: { events: number; deadLetters: number };

  constructor(
    kafka: KafkaLike,
    private readonly options: TransactionalPublisherOptions,
  ) {
    super();
    this.client = clientOf(kafka);
    this.limits = { events: options.maxEventBytes, deadLetters: options.maxEventBytes };
  }

  async claim(): Promise<void> {
    if (this.fenced) throw this.fencedError();
    await this.dropProducer();
    await this.prepare();
    const started = Date.now();
    let producer: TransactionalProducer | undefined;
    try {
      const created = await this.client.transactionalProducer({
        transactionalId: this.options.transactionalId,
        transactionTimeoutMs: this.options.transactionTimeoutMs ?? 120_000,
      });
      producer = created;
      // InitProducerId is refused with CONCURRENT_TRANSACTIONS while the coordinator aborts the
      // transaction a failed window left open.
      const claim = await retryConcurrentTransactions(() => created.transaction());
      await claim.abort();
    } catch (error) {
      await producer?.disconnect().catch(() => undefined);
      throw this.classify(error);
    }
    this.producer = producer;
    this.logger.debug(`claimed ${this.options.transactionalId} in ${Date.now() - started} ms`);
  }

  async prepare(): Promise<void> {
    if (this.prepared || !this.options.prepare) return;
    const learnt = (await this.options.prepare()) ?? { maxMessageBytes: {} };
    const { topics, maxEventBytes } = this.options;
    this.limits = {
      events: startLimit(maxEventBytes, learnt.maxMessageBytes[topics.events]),
      deadLetters: startLimit(maxEventBytes, learnt.maxMessageBytes[topics.deadLetters]),
    };
    this.prepared = true;
  }

  begin(): KafkaTransaction {
    if (this.fenced) throw this.fencedError();
    const producer = this.producer;
    if (!producer) throw new Error('begin() before claim()');
    return new KafkaTransaction(producer, {
      topics: this.options.topics,
      // A partition's batch of a request must also fit the topics' limit.
      maxRequestBytes: Math.min(
        this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
        this.limits.events,
        this.limits.deadLetters,
      ),
      compression: this.options.compression,
      ...(this.options.checkpoints ? { checkpoints: this.options.checkpoints } : {}),
      fail: async (error) => {
        await this.dropProducer();
        return this.classify(error);
      },
    });
  }

  /** Writes records of the progress topic other than the checkpoint, in a transaction of their own. */
  async publishProgress(messages: ProgressMessage[]): Promise<void> {
    const transaction = this.begin();
    try {
      await transaction.commitWith(messages);
    } catch (error) {
      await transaction.abort();
      throw error;
    }
  }

  maxEventBytes(): number {
    return this.limits.events;
  }

  override maxDeadLetterBytes(): number {
    return this.limits.deadLetters;
  }

  async close(): Promise<void> {
    await this.dropProducer();
  }

  private classify(error: unknown): Error {
    const kinds = [...errorKinds(error)];
    if (kinds.some((type) => FENCED.has(type))) {
      this.fenced = true;
      return this.fencedError();
    }
    const { topics, transactionalId, grantee } = this.options;
    const refused = authorizationFailure(
      error,
      {
        kind: 'transaction',
        transactionalId,
        topics: [topics.events, topics.deadLetters, topics.progress],
      },
      grantee ?? { principal: 'User:<principal>', bootstrap: '<brokers>' },
    );
    if (refused) return refused;
    if (kinds.some((type) => TOO_LARGE.has(type))) return this.tooLarge(error);
    return error instanceof Error ? error : new Error(String(error));
  }

  /** A topic refused a batch for its size: lower the limits, so the window's retry fits. */
  private tooLarge(error: unknown): Error {
    const before = Math.max(this.limits.events, this.limits.deadLetters);
    const lowered = limitAfterRefusal(before);
    if (lowered === undefined) return error instanceof Error ? error : new Error(String(error));
    this.limits = {
      events: Math.min(this.limits.events, lowered),
      deadLetters: Math.min(this.limits.deadLetters, lowered),
    };
    return new Error(
      `a topic refused a message as too large (${(error as Error).message}): from now on an event over ${lowered} bytes goes to the dead-letter topic, its body cut (grant DescribeConfigs on the topics so the poller reads their max.message.bytes at start)`,
      { cause: error },
    );
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
