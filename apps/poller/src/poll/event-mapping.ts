import { createHash } from 'node:crypto';
import {
  deadLetterKey,
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
import type { OutgoingMessage } from '../ports/event-publisher.port.js';
import type { Window } from './window-planner.js';

/** A message ready to publish, with what deduplication and the checkpoint need to know. */
export interface Candidate {
  /** The idempotency key (events) or `dlq:` + dead-letter key (dead letters). */
  key: string;
  wall: WallSeconds;
  message: OutgoingMessage;
}

export interface MappedWindow {
  events: Candidate[];
  deadLetters: Candidate[];
  /** Valid records whose `date` lies outside the window asked for: left to the window that holds them. */
  outOfWindow: number;
  /** Events too large for the events topic, sent to the dead-letter topic instead. */
  oversize: number;
}

/** How much of an oversize email's body its dead letter keeps. */
const OVERSIZE_BODY_PREFIX = 64 * 1024;

/** One mapped message and the topic it is for. */
export type MappedMessage =
  { kind: 'event'; candidate: Candidate } | { kind: 'dead-letter'; candidate: Candidate };

/**
 * Makes the messages of one window: each event and its key, and a dead letter with its reason
 * for everything that cannot be an event. Pure; shared by the streaming and the whole-window
 * mapping so both produce the same bytes.
 *
 * Oversize policy: an event larger than the events topic accepts would fail the whole
 * transaction and stall the poller on that window forever. It goes to the dead-letter topic
 * instead, with reason `event-too-large`, its key, size, and the record with the body cut to its
 * first 64 KiB plus the full body's SHA-256 and length, so nothing is lost silently, the
 * poller moves on, and an operator can fetch the full email from Wolkvox.
 */
class MessageFactory {
  oversize = 0;
  private readonly query: { dateIni: string; dateEnd: string };

  constructor(
    private readonly window: Window,
    private readonly operation: Operation,
    private readonly maxEventBytes: number,
    private readonly detectedAt: Date,
  ) {
    this.query = { dateIni: formatQueryTime(window.from), dateEnd: formatQueryTime(window.to) };
  }

  inWindow(wall: WallSeconds): boolean {
    return wall >= this.window.from && wall <= this.window.to;
  }

  numbered(record: Cdr9Record, wall: WallSeconds, occurrence: number, key: string): MappedMessage {
    const mapped = toEmailSentEvent(record, occurrence, this.operation, key);
    if (!mapped.ok) return this.deadLetter(record, mapped.reason, wall);
    const message = encodeEmailSent(mapped.event);
    if (message.value.length > this.maxEventBytes) {
      this.oversize++;
      // Keyed by the event's id: once the dead letter is published, the email counts as handled.
      return this.deadLetter(
        oversizeCopy(record),
        `event-too-large: event ${mapped.event.id} is ${message.value.length} bytes, the events topic accepts ${this.maxEventBytes}`,
        wall,
        mapped.event.id,
      );
    }
    return { kind: 'event', candidate: { key: mapped.event.id, wall, message } };
  }

  invalid(raw: unknown, reason: string): MappedMessage {
    return this.deadLetter(raw, reason, wallOfInvalid(raw, this.window));
  }

  private deadLetter(raw: unknown, reason: string, wall: WallSeconds, key?: string): MappedMessage {
    const letter = toDeadLetter(
      { raw, reason },
      this.operation.server,
      this.detectedAt,
      this.query,
    );
    key ??= `dlq:${deadLetterKey(this.operation.server, raw)}`;
    return { kind: 'dead-letter', candidate: { key, wall, message: encodeDeadLetter(letter) } };
  }
}

/**
 * Maps a window record by record as its response streams in, numbering identical records with
 * a running count (RunningKeyer). When a record's group mixes records that differ outside the
 * six fields, its number depends on records not read yet: `mixed` is set, and the window must
 * be mapped whole with `mapWindow` instead.
 */
export class WindowMapper {
  outOfWindow = 0;
  mixed = false;
  private readonly factory: MessageFactory;
  private readonly keyer: RunningKeyer;

  constructor(window: Window, operation: Operation, maxEventBytes: number, detectedAt: Date) {
    this.factory = new MessageFactory(window, operation, maxEventBytes, detectedAt);
    this.keyer = new RunningKeyer(operation.server);
  }

  get oversize(): number {
    return this.factory.oversize;
  }

  /** The record's event or dead letter; undefined when it lies outside the window or is mixed. */
  record(record: Cdr9Record, wall: WallSeconds): MappedMessage | undefined {
    if (!this.factory.inWindow(wall)) {
      this.outOfWindow++;
      return undefined;
    }
    const keyed = this.keyer.next(record);
    if (!keyed) {
      this.mixed = true;
      return undefined;
    }
    return this.factory.numbered(record, wall, keyed.occurrence, keyed.key);
  }

  invalid(raw: unknown, reason: string): MappedMessage {
    return this.factory.invalid(raw, reason);
  }
}

/**
 * Pure mapping of one whole window's response to messages: number identical records by the
 * contract's full rule (keyedWithOccurrences), make each event and its key, and turn everything
 * that cannot be an event into a dead letter with its reason.
 */
export function mapWindow(
  window: Window,
  records: ReadonlyArray<{ record: Cdr9Record; wall: WallSeconds }>,
  invalid: ReadonlyArray<{ raw: unknown; reason: string }>,
  operation: Operation,
  maxEventBytes: number,
  detectedAt: Date,
): MappedWindow {
  const factory = new MessageFactory(window, operation, maxEventBytes, detectedAt);
  const inWindow = records.filter((r) => factory.inWindow(r.wall));
  const walls = new Map(inWindow.map((r) => [r.record, r.wall]));
  const mapped = [
    ...keyedWithOccurrences(
      operation.server,
      inWindow.map((r) => r.record),
    ).map(({ record, occurrence, key }) =>
      factory.numbered(record, walls.get(record)!, occurrence, key),
    ),
    ...invalid.map((bad) => factory.invalid(bad.raw, bad.reason)),
  ];
  return {
    events: mapped.filter((m) => m.kind === 'event').map((m) => m.candidate),
    deadLetters: mapped.filter((m) => m.kind === 'dead-letter').map((m) => m.candidate),
    outOfWindow: records.length - inWindow.length,
    oversize: factory.oversize,
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

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Where a dead letter sits for deduplication: its own date when readable, else the window's start. */
function wallOfInvalid(raw: unknown, window: Window): WallSeconds {
  const date =
    typeof raw === 'object' && raw !== null ? (raw as { date?: unknown }).date : undefined;
  const wall = typeof date === 'string' ? parseWallTime(date) : null;
  return wall !== null && wall >= window.from && wall <= window.to ? wall : window.from;
}
