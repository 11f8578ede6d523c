import type { Cdr9Record, Cdr9Validation, Operation, WallSeconds } from '@app/contracts';
import type {
  EventPublisher,
  OutgoingMessage,
  PublishTransaction,
} from '../ports/event-publisher.port.js';
import type { Checkpoint, SeenKeys } from '../ports/checkpoint-store.port.js';
import { mapWindow, WindowMapper, type MappedMessage } from './event-mapping.js';
import type { RecordSink, WallWindow } from '@app/wolkvox-client';

export interface WindowWriterSettings {
  window: WallWindow;
  operation: Operation;
  maxEventBytes: number;
  /** maxEventBytes unless given. */
  maxDeadLetterBytes?: number;
  detectedAt: Date;
  /** Keys already published: their records are read again but not published twice. */
  seen: SeenKeys;
  /**
   * `stream`: map and send each record as it arrives (the default: a window is never held
   * whole). `whole`: hold the window's records and map them at the end, for a window whose
   * identical records differ outside the six fields (numbered by the order of all of them).
   */
  mode: 'stream' | 'whole';
}

/** What a window's read put into its transaction, for the checkpoint, the planner and the logs. */
export interface WindowTally {
  /** Valid records read, in the window or not (the planner's density). */
  valid: number;
  invalid: number;
  events: number;
  deadLetters: number;
  /** Events not sent because their key was published before. */
  duplicates: number;
  oversize: number;
  outOfWindow: number;
}

/**
 * The sink the poll cycle gives the source for one window: validated records come in as the
 * response streams, are mapped (WindowMapper), filtered against the keys already published, and
 * sent in one open transaction of the publisher, chunk by chunk, so that neither the response
 * nor its events are ever held whole. Nothing becomes visible before `commit`; `abort` (or a
 * `discard` from a failed attempt) drops everything sent.
 */
export class WindowWriter implements RecordSink {
  private transaction: PublishTransaction | undefined;
  private mapper!: WindowMapper;
  private events: OutgoingMessage[] = [];
  private deadLetters: OutgoingMessage[] = [];
  /** Keys sent in this window, with their record's wall second, for the checkpoint. */
  private published = new Map<string, WallSeconds>();
  /** Every valid record's wall second: where to cut a window that came back cut. */
  private walls: WallSeconds[] = [];
  private held: Array<{ record: Cdr9Record; wall: WallSeconds }> = [];
  private heldInvalid: Array<{ raw: unknown; reason: string }> = [];
  private counts = zeroTally();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly settings: WindowWriterSettings,
  ) {
    this.reset();
  }

  /** The read needs the whole window to number its records (see WindowMapper.mixed). */
  get mixed(): boolean {
    return this.mapper.mixed;
  }

  get recordWalls(): readonly WallSeconds[] {
    return this.walls;
  }

  get tally(): WindowTally {
    if (this.settings.mode === 'whole') return { ...this.counts };
    return { ...this.counts, oversize: this.mapper.oversize, outOfWindow: this.mapper.outOfWindow };
  }

  /**
   * Key first: a record whose key was published before (the look-back re-read after a campaign
   * is mostly such records) costs its key's hash and nothing more; only a new key is mapped to
   * its event or dead letter, encoded and sent.
   */
  accept(element: Cdr9Validation): void {
    if (!element.ok) {
      this.counts.invalid++;
      if (this.settings.mode === 'whole') {
        this.heldInvalid.push(element);
        return;
      }
      const keyed = this.mapper.keyInvalid(element.raw);
      if (keyed && !this.isPublished(keyed.key))
        this.enqueue(this.mapper.invalid(element.raw, element.reason, keyed));
      return;
    }
    this.counts.valid++;
    this.walls.push(element.wall);
    if (this.settings.mode === 'whole') {
      this.held.push(element);
      return;
    }
    // Once the window is known to need whole numbering, what follows is only counted.
    if (this.mapper.mixed) return;
    const keyed = this.mapper.keyRecord(element.record, element.wall);
    if (!keyed) return;
    if (this.isPublished(keyed.key)) this.counts.duplicates++;
    else this.enqueue(this.mapper.event(element.record, keyed));
  }

  async drain(): Promise<void> {
    if (this.events.length === 0 && this.deadLetters.length === 0) return;
    const events = this.events;
    const deadLetters = this.deadLetters;
    this.events = [];
    this.deadLetters = [];
    this.transaction ??= this.publisher.begin();
    await this.transaction.send(events, deadLetters);
  }

  async discard(): Promise<void> {
    await this.abort();
    this.reset();
  }

  /**
   * Sends what is left (in `whole` mode, the whole window, mapped now) and returns the keys this
   * window published, from which the cycle builds the checkpoint that `commit` writes.
   */
  async finish(): Promise<SeenKeys> {
    if (this.settings.mode === 'whole') {
      const { window, operation, maxEventBytes, maxDeadLetterBytes, detectedAt } = this.settings;
      const mapped = mapWindow(
        {
          window,
          records: this.held,
          invalid: this.heldInvalid,
          operation,
          maxEventBytes,
          maxDeadLetterBytes,
          detectedAt,
        },
        (key) => !this.isPublished(key),
      );
      this.counts.duplicates += mapped.published;
      this.held = [];
      this.heldInvalid = [];
      this.counts.outOfWindow = mapped.outOfWindow;
      this.counts.oversize = mapped.oversize;
      for (const keyedMessage of mapped.events) this.enqueue({ kind: 'event', keyedMessage });
      for (const keyedMessage of mapped.deadLetters)
        this.enqueue({ kind: 'dead-letter', keyedMessage });
    }
    await this.drain();
    return this.published;
  }

  /** Commits everything sent with `checkpoint` written last (none for a run that keeps none). */
  async commit(checkpoint: Checkpoint | undefined): Promise<void> {
    this.transaction ??= this.publisher.begin();
    await this.transaction.commit(checkpoint);
  }

  /** Drops everything sent in this window. Never rejects. */
  async abort(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    await transaction?.abort();
  }

  private isPublished(key: string): boolean {
    return this.settings.seen.has(key) || this.published.has(key);
  }

  /**
   * Queues a mapped message for the next drain unless its key was published (a time the zone
   * skips is keyed anew).
   */
  private enqueue({ kind, keyedMessage }: MappedMessage): void {
    if (this.isPublished(keyedMessage.key)) {
      if (kind === 'event') this.counts.duplicates++;
      return;
    }
    this.published.set(keyedMessage.key, keyedMessage.wall);
    if (kind === 'event') {
      this.counts.events++;
      this.events.push(keyedMessage.message);
    } else {
      this.counts.deadLetters++;
      this.deadLetters.push(keyedMessage.message);
    }
  }

  private reset(): void {
    const { window, operation, maxEventBytes, maxDeadLetterBytes, detectedAt } = this.settings;
    this.mapper = new WindowMapper(
      window,
      operation,
      maxEventBytes,
      detectedAt,
      maxDeadLetterBytes,
    );
    this.events = [];
    this.deadLetters = [];
    this.published = new Map();
    this.walls = [];
    this.held = [];
    this.heldInvalid = [];
    this.counts = zeroTally();
  }
}

function zeroTally(): WindowTally {
  return {
    valid: 0,
    invalid: 0,
    events: 0,
    deadLetters: 0,
    duplicates: 0,
    oversize: 0,
    outOfWindow: 0,
  };
}
