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

/**
 * Pure mapping of one window's response to messages: number identical records, make each event
 * and its key, and turn everything that cannot be an event into a dead letter with its reason.
 *
 * Oversize policy: an event larger than the events topic accepts would fail the whole
 * transaction and stall the poller on that window forever. It goes to the dead-letter topic
 * instead, with reason `event-too-large`, its key, size, and the record with the body cut to its
 * first 64 KiB plus the full body's SHA-256 and length, so nothing is lost silently, the
 * poller moves on, and an operator can fetch the full email from Wolkvox.
 */
export function mapWindow(
  window: Window,
  records: ReadonlyArray<{ record: Cdr9Record; wall: WallSeconds }>,
  invalid: ReadonlyArray<{ raw: unknown; reason: string }>,
  operation: Operation,
  maxEventBytes: number,
  detectedAt: Date,
): MappedWindow {
  const query = { dateIni: formatQueryTime(window.from), dateEnd: formatQueryTime(window.to) };
  const deadLetters: Candidate[] = [];
  const deadLetter = (raw: unknown, reason: string, wall: WallSeconds, key?: string): void => {
    const letter = toDeadLetter({ raw, reason }, operation.server, detectedAt, query);
    key ??= `dlq:${deadLetterKey(operation.server, raw)}`;
    deadLetters.push({ key, wall, message: encodeDeadLetter(letter) });
  };

  const inWindow: Array<{ record: Cdr9Record; wall: WallSeconds }> = [];
  let outOfWindow = 0;
  for (const r of records) {
    if (r.wall >= window.from && r.wall <= window.to) inWindow.push(r);
    else outOfWindow++;
  }
  const walls = new Map(inWindow.map((r) => [r.record, r.wall]));

  const events: Candidate[] = [];
  let oversize = 0;
  for (const { record, occurrence, key } of keyedWithOccurrences(
    operation.server,
    inWindow.map((r) => r.record),
  )) {
    const wall = walls.get(record)!;
    const mapped = toEmailSentEvent(record, occurrence, operation, key);
    if (!mapped.ok) {
      deadLetter(record, mapped.reason, wall);
      continue;
    }
    const message = encodeEmailSent(mapped.event);
    if (message.value.length > maxEventBytes) {
      oversize++;
      // Keyed by the event's id: once the dead letter is published, the email counts as handled.
      deadLetter(
        oversizeCopy(record),
        `event-too-large: event ${mapped.event.id} is ${message.value.length} bytes, the events topic accepts ${maxEventBytes}`,
        wall,
        mapped.event.id,
      );
      continue;
    }
    events.push({ key: mapped.event.id, wall, message });
  }
  for (const bad of invalid) deadLetter(bad.raw, bad.reason, wallOfInvalid(bad.raw, window));
  return { events, deadLetters, outOfWindow, oversize };
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
