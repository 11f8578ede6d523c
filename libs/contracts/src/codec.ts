import type { Cdr9Record } from './cdr9-record.js';
import { deadLetterKey } from './dead-letter-key.js';
import { deepFreeze } from './deep-freeze.js';
import {
  DeadLetterSchema,
  EMAIL_SENT_DATASCHEMA,
  EMAIL_SENT_TYPE,
  EmailSentEventSchema,
  type ChannelKind,
  type DeadLetter,
  type EmailSentEvent,
  type QueryWindow,
} from './email-sent.event.js';
import { unsupportedMajor } from './event-version.js';
import { idempotencyKey } from './idempotency-key.js';
import {
  checkContentType,
  describeIssues,
  parseJsonValue,
  readHeader,
  utf8Text,
  type EncodedMessage,
  type RawKafkaMessage,
} from './kafka-message.js';
import { formatRfc3339, instantOf, parseWallTime } from './local-time.js';
import { emailSentSource, type Operation } from './operation.js';

/** Structured mode of the CloudEvents Kafka binding: the whole event is the value. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
export const EMAIL_SENT_CONTENT_TYPE = `${CLOUDEVENTS_JSON}; charset=UTF-8`;
export const DEAD_LETTER_CONTENT_TYPE = 'application/json; charset=UTF-8';

export type EventMapping = { ok: true; event: EmailSentEvent } | { ok: false; reason: string };

/**
 * Maps one validated cdr_9 record to its `email.sent` event, frozen. A `date` that names no
 * instant in the operation's zone (a daylight-saving gap, or not a calendar time at all) is
 * reported, not shifted, so the caller can dead-letter the record. A local time the zone shows
 * twice (when clocks go back) maps to the earlier instant.
 *
 * @throws RangeError when `operation.timeZone` is not a zone the runtime knows (a configuration
 *   error, not a property of the record).
 */
export function toEmailSentEvent(
  record: Cdr9Record,
  occurrence: number,
  operation: Operation,
  /** `idempotencyKey(operation.server, record, occurrence)` when the caller has it already. */
  key?: string,
): EventMapping {
  const wall = parseWallTime(record.date);
  if (wall === null) {
    return { ok: false, reason: 'date: must be a real local time written YYYY-MM-DD HH:MM:SS' };
  }
  const zoned = instantOf(wall, operation.timeZone);
  if (zoned === null) {
    return {
      ok: false,
      reason: `date: ${record.date} does not exist in ${operation.timeZone} (clocks skip it)`,
    };
  }
  const { channelKind, channelId } = parseChannel(record.channel);
  // A copy, so that freezing the event leaves the caller's record alone. Shallow: the API's
  // fields are strings, and structuredClone of 60,000 records cost the poller seconds.
  const raw = { ...record };
  const event: EmailSentEvent = {
    specversion: '1.0',
    id: key ?? idempotencyKey(operation.server, record, occurrence),
    source: emailSentSource(operation.server),
    type: EMAIL_SENT_TYPE,
    // CloudEvents requires a non-empty subject when present; an empty channel leaves it out.
    ...(record.channel ? { subject: record.channel } : {}),
    time: formatRfc3339(zoned),
    datacontenttype: 'application/json',
    dataschema: EMAIL_SENT_DATASCHEMA,
    data: {
      record: raw,
      server: operation.server,
      timeZone: operation.timeZone,
      sentAt: formatRfc3339({ instant: zoned.instant, offsetSeconds: 0 }),
      sentAtLocal: record.date,
      channelKind,
      channelId,
      recipients: parseRecipients(record.to),
      occurrence,
    },
  };
  return { ok: true, event: deepFreeze(event) };
}

const CHANNEL_PREFIXES: readonly [string, ChannelKind][] = [
  ['email-route-', 'routing-point'],
  ['campaign-', 'campaign'],
];

export function parseChannel(channel: string): { channelKind: ChannelKind; channelId: string } {
  for (const [prefix, channelKind] of CHANNEL_PREFIXES) {
    if (channel.startsWith(prefix) && channel.length > prefix.length) {
      return { channelKind, channelId: channel.slice(prefix.length) };
    }
  }
  return { channelKind: 'unknown', channelId: channel };
}

export function parseRecipients(to: string): string[] {
  return to
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * The Kafka message of an event (CloudEvents Kafka binding, structured mode): key = `id`, value =
 * the event as UTF-8 JSON. No record timestamp is set on purpose: the broker's append time keeps
 * retention counting from publication, where the email's send time (possibly months old on a
 * backfill) would have old events deleted as soon as they land.
 */
export function encodeEmailSent(event: EmailSentEvent): EncodedMessage {
  return {
    key: event.id,
    value: Buffer.from(JSON.stringify(event), 'utf8'),
    headers: { 'content-type': EMAIL_SENT_CONTENT_TYPE },
  };
}

export type EventDecoding = { ok: true; event: EmailSentEvent } | { ok: false; error: string };

/**
 * A raw Kafka message (as kafkajs hands it over) to a typed, frozen event, or an error naming
 * the field that is wrong and why. Fields this version does not know are kept, not rejected (a
 * newer minor version decodes); an event of another major version is refused, saying so.
 */
export function decodeEmailSent(message: RawKafkaMessage): EventDecoding {
  const contentType = readHeader(message.headers, 'content-type');
  if (!contentType.ok) return contentType;
  const badType = checkContentType(contentType.value, CLOUDEVENTS_JSON);
  if (badType) return { ok: false, error: badType };

  const json = parseJsonValue(message.value);
  if (!json.ok) return json;
  // Another major version is refused as such, before its fields are named one by one as wrong.
  const newerMajor = unsupportedMajor(json.value);
  if (newerMajor) return { ok: false, error: newerMajor.error };
  const parsed = EmailSentEventSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues) };
  const event = parsed.data;

  const key = message.key == null ? null : utf8Text(message.key);
  if (key !== event.id) {
    const shown = key === null ? 'missing or not UTF-8' : `"${key}"`;
    return { ok: false, error: `key: ${shown} does not equal id "${event.id}"` };
  }
  return { ok: true, event: deepFreeze(event) };
}

/** A dead letter for a record that failed validation or mapping. */
export function toDeadLetter(
  rejected: { readonly raw: unknown; readonly reason: string },
  server: string,
  detectedAt: Date,
  window?: QueryWindow,
  /** 1..n among the identical bad records of the read (see deadLetterKey). */
  occurrence = 1,
): DeadLetter {
  return deepFreeze({
    reason: rejected.reason,
    server,
    // `undefined` cannot come out of a JSON response and has no JSON form: it is written as null.
    raw: rejected.raw === undefined ? null : structuredClone(rejected.raw),
    occurrence,
    ...(window ? { window: { ...window } } : {}),
    detectedAt: detectedAt.toISOString(),
  });
}

export function encodeDeadLetter(deadLetter: DeadLetter): EncodedMessage {
  return {
    key: deadLetterKey(deadLetter.server, deadLetter.raw, deadLetter.occurrence ?? 1),
    value: Buffer.from(JSON.stringify(deadLetter), 'utf8'),
    headers: { 'content-type': DEAD_LETTER_CONTENT_TYPE },
  };
}

export type DeadLetterDecoding =
  { ok: true; deadLetter: DeadLetter } | { ok: false; error: string };

/** A raw dead-letter message to a typed, frozen dead letter, or an error naming the field. */
export function decodeDeadLetter(message: RawKafkaMessage): DeadLetterDecoding {
  const contentType = readHeader(message.headers, 'content-type');
  if (!contentType.ok) return contentType;
  const badType = checkContentType(contentType.value, 'application/json');
  if (badType) return { ok: false, error: badType };

  const json = parseJsonValue(message.value);
  if (!json.ok) return json;
  const parsed = DeadLetterSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues) };
  return { ok: true, deadLetter: deepFreeze(parsed.data) };
}
