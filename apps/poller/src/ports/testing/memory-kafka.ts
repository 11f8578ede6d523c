import type { Owner } from '../../lease/lease.js';
import {
  CheckpointStore,
  CorruptCheckpointError,
  type Checkpoint,
} from '../checkpoint-store.port.js';
import {
  EventPublisher,
  FencedError,
  type OutgoingMessage,
  type PublishTransaction,
} from '../event-publisher.port.js';
import { LeaseBeacon } from '../lease-beacon.port.js';

/** One transaction as it was sent and ended. */
export interface MemoryTransaction {
  sends: Array<{ events: OutgoingMessage[]; deadLetters: OutgoingMessage[] }>;
  ended?: 'committed' | 'aborted';
  checkpoint?: Checkpoint;
}

/**
 * A broker stand-in for unit tests of what runs on the Kafka ports: transactions all or
 * nothing, one checkpoint and one lease per operation, fencing by claim.
 */
export class MemoryKafka {
  readonly events: OutgoingMessage[] = [];
  readonly deadLetters: OutgoingMessage[] = [];
  /** Every transaction begun, in order. */
  readonly transactions: MemoryTransaction[] = [];
  /** The latest committed checkpoint. */
  checkpoint: Checkpoint | undefined;
  /** The latest heartbeat written, by a checkpoint or the beacon. */
  lease: Owner | undefined;
  /** Makes the store's load fail as an unreadable checkpoint does. */
  unreadable: CorruptCheckpointError | undefined;
  /** Claims so far: a publisher whose claim is not the latest is fenced. */
  claims = 0;

  /** Transactions that committed. */
  get committed(): MemoryTransaction[] {
    return this.transactions.filter((t) => t.ended === 'committed');
  }
}

/** The EventPublisher port on a MemoryKafka; fails on demand. */
export class MemoryPublisher extends EventPublisher {
  private epoch = 0;
  /** The next this many commits fail (the broker unavailable). */
  failNextCommit = 0;
  /** The next this many sends fail. */
  failNextSend = 0;
  /** Messages sent in transactions that were aborted. */
  aborted = 0;
  /** A rival outside this MemoryKafka took the operation over: every commit is fenced. */
  fenced = false;

  constructor(readonly kafka = new MemoryKafka()) {
    super();
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  claim(): Promise<void> {
    this.epoch = ++this.kafka.claims;
    return Promise.resolve();
  }

  /** Holds what is sent; the commit applies it all, or fails and applies nothing. */
  begin(): PublishTransaction {
    const transaction: MemoryTransaction = { sends: [] };
    this.kafka.transactions.push(transaction);
    return {
      send: (events, deadLetters) => {
        if (this.failNextSend > 0) {
          this.failNextSend--;
          return Promise.reject(new Error('broker unavailable'));
        }
        transaction.sends.push({ events, deadLetters });
        return Promise.resolve();
      },
      commit: (checkpoint) => {
        if (this.fenced || this.epoch !== this.kafka.claims)
          return Promise.reject(new FencedError('fenced'));
        if (this.failNextCommit > 0) {
          this.failNextCommit--;
          return Promise.reject(new Error('broker unavailable'));
        }
        transaction.ended = 'committed';
        for (const sent of transaction.sends) {
          this.kafka.events.push(...sent.events);
          this.kafka.deadLetters.push(...sent.deadLetters);
        }
        if (checkpoint) {
          transaction.checkpoint = checkpoint;
          this.kafka.checkpoint = structuredClone(checkpoint);
          if (checkpoint.owner) this.kafka.lease = checkpoint.owner;
        }
        return Promise.resolve();
      },
      abort: () => {
        if (!transaction.ended) {
          transaction.ended = 'aborted';
          for (const sent of transaction.sends)
            this.aborted += sent.events.length + sent.deadLetters.length;
        }
        return Promise.resolve();
      },
    };
  }

  maxEventBytes(): number {
    return 1024 * 1024;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The CheckpointStore port on a MemoryKafka: a copy of the latest committed checkpoint. */
export class MemoryCheckpointStore extends CheckpointStore {
  constructor(private readonly kafka: MemoryKafka) {
    super();
  }

  load(): Promise<Checkpoint | null> {
    if (this.kafka.unreadable) return Promise.reject(this.kafka.unreadable);
    const stored = this.kafka.checkpoint;
    return Promise.resolve(stored ? structuredClone(stored) : null);
  }

  peekOwner(): Promise<Owner | undefined> {
    return Promise.resolve(this.kafka.lease);
  }
}

/** The LeaseBeacon port on a MemoryKafka. */
export class MemoryLeaseBeacon extends LeaseBeacon {
  constructor(private readonly kafka: MemoryKafka) {
    super();
  }

  renew(owner: Owner): Promise<void> {
    this.kafka.lease = owner;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
