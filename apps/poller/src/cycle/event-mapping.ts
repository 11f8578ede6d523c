import { createHash } from 'node:crypto';
import {
  DeadLetterKeyer,
  encodeDeadLetter,
  encodeEmailSent,
  formatQueryTime,
  parseWallTime,
  toDeadLetter,
  toEmailSentEvent,
  keyedWithOccurrences,
  RunningKeyer,
  type Cdr9Record,
  type Operation,
  type WallSeconds,
} from '@app/contracts';
import { CALL_MARGIN_SECONDS } from './call-bounds.js';
import { recordBatchBytes } from './message-size.js';
import type { OutgoingMessage } from '../ports/event-publisher.port.js';
import type { WallWindow } from '@app/wolkvox-client';

/** A message ready to publish, with what deduplication and the checkpoint need to know. */
export interface KeyedMessage {
  /** The idempotency key (events) or `dlq:` + dead-letter key (dead letters). */
  key: string;
  wall: WallSeconds;
  message: OutgoingMessage;
}

export interface MappedWindow {
  events: KeyedMessage[];
  deadLetters: KeyedMessage[];
  /** Events not made because their key was published before. */
  published: number;
  /** Records whose `date` lies outside the window asked for: left to the window that holds them. */
  outOfWindow: number;
  /** Events too large for the events topic, sent to the dead-letter topic instead. */
  oversize: number;
}

/** How much of an oversize email's body its dead letter keeps. */
const OVERSIZE_BODY_PREFIX = 64 * 1024;
/**
 * How much of each long text a dead letter too large for its topic keeps, tried in turn: the
 * dead letter must be published, or its window would fail forever as an oversize event did.
 */
const DEAD_LETTER_CUTS = [OVERSIZE_BODY_PREFIX, 4 * 1024, 256];

/** One mapped message and the topic it is for. */
export type MappedMessage =
  | { kind: 'event'; keyedMessage: KeyedMessage }
  | { kind: 'dead-letter'; keyedMessage: KeyedMessage };

/**
 * What a record is known by before it is mapped: its key (as in `KeyedMessage`), its number
 * among identical records, and the wall second its key is remembered under. Computing it costs a
 * hash; mapping costs the event's construction and JSON, so a key already published is skipped
 * here.
 */
export interface Keyed {
  key: string;
  occurrence: number;
  wall: WallSeconds;
}

/**
 * Makes the messages of one window: each event, and a dead letter with its reason for everything
 * that cannot be an event. Pure; shared by the streaming and the whole-window mapping so both
 * produce the same bytes.
 *
 * Oversize policy: an event larger than the events topic accepts would fail the whole
 * transaction and stall the poller on that window forever. It goes to the dead-letter topic
 * instead, with reason `event-too-large`, its key, size, and the record with the body cut to its
 * first 64 KiB plus the full body's SHA-256 and length, so nothing is lost silently, the
 * poller moves on, and an operator can fetch the full email from Wolkvox. "Accepts" is the
 * smaller of EVENTS_MAX_MESSAGE_BYTES and the topic's own limit (the publisher's
 * maxEventBytes), counted as Kafka counts it: the message as a record batch of its own. A dead
 * letter larger than the dead-letter topic accepts (a bad record with a huge body) has its long
 * texts cut the same way, keeping the Kafka key of the whole record.
 */
class MessageFactory {
  oversize = 0;
  private readonly query: { dateIni: string; dateEnd: string };

  constructor(
    private readonly window: WallWindow,
    private readonly operation: Operation,
    private readonly maxEventBytes: number,
    private readonly detectedAt: Date,
    private readonly maxDeadLetterBytes = maxEventBytes,
  ) {
    this.query = { dateIni: formatQueryTime(window.from), dateEnd: formatQueryTime(window.to) };
  }

  inWindow(wall: WallSeconds): boolean {
    return wall >= this.window.from && wall <= this.window.to;
  }

  /**
   * Where a bad record's key is remembered, or undefined when its own `date` is a real time
   * outside the window: like a valid record, it is left to the window that holds it (the call
   * may reach a second into the neighbours), which dead-letters it once under that date.
   *
   * A bad record with no usable date came in this window's call, so the second the API files it
   * under is at most `to + margin`; a later sweep asks from `margin` before `settledBefore`, so it
   * can come back until `settledBefore` passes `to + 2 margin`, and it is remembered there. (At
   * `from`, the key was forgotten as soon as the look-back moved past the window's start, and
   * every re-read of the look-back sent the record again.)
   */
  wallOfInvalid(raw: unknown): WallSeconds | undefined {
    const date =
      typeof raw === 'object' && raw !== null ? (raw as { date?: unknown }).date : undefined;
    const wall = typeof date === 'string' ? parseWallTime(date) : null;
    if (wall === null) return this.window.to + 2 * CALL_MARGIN_SECONDS;
    return this.inWindow(wall) ? wall : undefined;
  }

  event(record: Cdr9Record, { key, occurrence, wall }: Keyed): MappedMessage {
    const mapped = toEmailSentEvent(record, occurrence, this.operation, key);
    if (!mapped.ok) return this.deadLetter(record, mapped.reason, wall, occurrence);
    const message = encodeEmailSent(mapped.event);
    const bytes = recordBatchBytes(message);
    if (bytes > this.maxEventBytes) {
      this.oversize++;
      // Keyed by the event's id: once the dead letter is published, the email counts as handled.
      return this.deadLetter(
        oversizeCopy(record),
        `event-too-large: event ${mapped.event.id} is ${bytes} bytes, the events topic accepts ${this.maxEventBytes}`,
        wall,
        occurrence,
        key,
      );
    }
    return { kind: 'event', keyedMessage: { key, wall, message } };
  }

  invalid(raw: unknown, reason: string, { key, occurrence, wall }: Keyed): MappedMessage {
    return this.deadLetter(raw, reason, wall, occurrence, key);
  }

  private deadLetter(
    raw: unknown,
    reason: string,
    wall: WallSeconds,
    occurrence: number,
    key?: string,
  ): MappedMessage {
    const encode = (kept: unknown) =>
      encodeDeadLetter(
        toDeadLetter(
          { raw: kept, reason },
          this.operation.server,
          this.detectedAt,
          this.query,
          occurrence,
        ),
      );
    let message = encode(raw);
    for (const cut of DEAD_LETTER_CUTS) {
      if (recordBatchBytes(message) <= this.maxDeadLetterBytes) break;
      // Known by the whole record's key, whatever is cut.
      message = { ...encode(cutLongTexts(raw, cut)), key: message.key };
    }
    key ??= `dlq:${message.key}`;
    return { kind: 'dead-letter', keyedMessage: { key, wall, message } };
  }
}

/**
 * Keys and maps a window record by record as its response streams in: first the key
 * (`keyRecord`, `keyInvalid`), then, only for a key not published yet, the message (`event`,
 * `invalid`). Identical records are numbered with running counts (RunningKeyer,
 * DeadLetterKeyer). When a record's group mixes records that differ outside the six fields, its
 * number depends on records not read yet: `mixed` is set, and the window must be mapped whole
 * with `mapWindow` instead.
 */
export class WindowMapper {
  outOfWindow = 0;
  mixed = false;
  private readonly factory: MessageFactory;
  private readonly keyer: RunningKeyer;
  private readonly badKeyer: DeadLetterKeyer;

  constructor(
    window: WallWindow,
    operation: Operation,
    maxEventBytes: number,
    detectedAt: Date,
    maxDeadLetterBytes = maxEventBytes,
  ) {
    this.factory = new MessageFactory(
      window,
      operation,
      maxEventBytes,
      detectedAt,
      maxDeadLetterBytes,
    );
    this.keyer = new RunningKeyer(operation.server);
    this.badKeyer = new DeadLetterKeyer(operation.server);
  }

  get oversize(): number {
    return this.factory.oversize;
  }

  /** A valid record's key; undefined when it lies outside the window or its group is mixed. */
  keyRecord(record: Cdr9Record, wall: WallSeconds): Keyed | undefined {
    if (!this.factory.inWindow(wall)) {
      this.outOfWindow++;
      return undefined;
    }
    const keyed = this.keyer.next(record);
    if (!keyed) {
      this.mixed = true;
      return undefined;
    }
    return { key: keyed.key, occurrence: keyed.occurrence, wall };
  }

  /** A bad record's dead-letter key; undefined when its own date lies outside the window. */
  keyInvalid(raw: unknown): Keyed | undefined {
    const wall = this.factory.wallOfInvalid(raw);
    if (wall === undefined) {
      this.outOfWindow++;
      return undefined;
    }
    const { key, occurrence } = this.badKeyer.next(raw);
    return { key: `dlq:${key}`, occurrence, wall };
  }

  /** The record's event, or its dead letter (a time the zone skips, too large). */
  event(record: Cdr9Record, keyed: Keyed): MappedMessage {
    return this.factory.event(record, keyed);
  }

  invalid(raw: unknown, reason: string, keyed: Keyed): MappedMessage {
    return this.factory.invalid(raw, reason, keyed);
  }
}

export interface WholeWindow {
  window: WallWindow;
  records: ReadonlyArray<{ record: Cdr9Record; wall: WallSeconds }>;
  invalid: ReadonlyArray<{ raw: unknown; reason: string }>;
  operation: Operation;
  maxEventBytes: number;
  detectedAt: Date;
  /** Largest dead letter the dead-letter topic accepts; maxEventBytes unless given. */
  maxDeadLetterBytes?: number;
}

/**
 * Pure mapping of one whole window's response to messages: number identical records by the
 * contract's full rule (keyedWithOccurrences), and make the event (or dead letter) of every key
 * `isNew` accepts; the others were published before and cost only their key.
 */
export function mapWindow(
  {
    window,
    records,
    invalid,
    operation,
    maxEventBytes,
    detectedAt,
    maxDeadLetterBytes,
  }: WholeWindow,
  isNew: (key: string) => boolean = () => true,
): MappedWindow {
  const mapper = new WindowMapper(window, operation, maxEventBytes, detectedAt, maxDeadLetterBytes);
  const inWindow = records.filter((r) => r.wall >= window.from && r.wall <= window.to);
  const walls = new Map(inWindow.map((r) => [r.record, r.wall]));
  const mapped: MappedMessage[] = [];
  let published = 0;
  const keyedRecords = keyedWithOccurrences(
    operation.server,
    inWindow.map((r) => r.record),
  );
  for (const { record, occurrence, key } of keyedRecords) {
    if (isNew(key))
      mapped.push(mapper.event(record, { key, occurrence, wall: walls.get(record)! }));
    else published++;
  }
  for (const bad of invalid) {
    const keyed = mapper.keyInvalid(bad.raw);
    if (keyed && isNew(keyed.key)) mapped.push(mapper.invalid(bad.raw, bad.reason, keyed));
  }
  return {
    events: mapped.filter((m) => m.kind === 'event').map((m) => m.keyedMessage),
    deadLetters: mapped.filter((m) => m.kind === 'dead-letter').map((m) => m.keyedMessage),
    published,
    outOfWindow: records.length - inWindow.length + mapper.outOfWindow,
    oversize: mapper.oversize,
  };
}

function oversizeCopy(record: Cdr9Record): Record<string, unknown> {
  const body = record.body;
  return {
    ...record,
    body: body.slice(0, OVERSIZE_BODY_PREFIX),
    bodyLength: body.length,
    bodySha256: sha256(body),
  };
}

/**
 * `raw` with every text longer than `keep` characters cut to its first `keep`; in an object, the
 * cut field `f` is followed by `fLength` and `fSha256` of the whole text, as an oversize event's
 * body is.
 */
function cutLongTexts(raw: unknown, keep: number): unknown {
  if (typeof raw === 'string') return raw.length > keep ? raw.slice(0, keep) : raw;
  if (Array.isArray(raw)) return raw.map((item) => cutLongTexts(item, keep));
  if (typeof raw !== 'object' || raw === null) return raw;
  const cut: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string' && value.length > keep) {
      cut[name] = value.slice(0, keep);
      cut[`${name}Length`] = value.length;
      cut[`${name}Sha256`] = sha256(value);
    } else cut[name] = cutLongTexts(value, keep);
  }
  return cut;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
