import { z } from 'zod';
import { Cdr9RecordSchema } from './cdr9-record.js';

/**
 * The `email.sent` CloudEvent 1.0 (structured JSON mode) and the dead-letter document, as zod
 * schemas. These schemas are the contract: the TypeScript types are inferred from them and the
 * committed JSON Schemas and AsyncAPI document are generated from them.
 *
 * Envelope and `data` are loose objects on purpose (tolerant reader): a CloudEvents extension
 * attribute or a new optional `data` field must not break a subscriber built against v1. Anything
 * that would break one gets a new `type` instead (see the README, "Versioning").
 */

export const EMAIL_SENT_TYPE = 'email.sent';

/** `$id` of the committed JSON Schema of the whole event (`schema/email-sent.v1.schema.json`). */
export const EMAIL_SENT_SCHEMA_ID = 'urn:wolkvox-email-events:schema:email-sent:v1';

/**
 * The event's `dataschema`: a JSON Pointer into the event's JSON Schema, naming the v1 `data`
 * schema. A URN rather than a URL because the contract ships with the lib, not from a server.
 */
export const EMAIL_SENT_DATASCHEMA = `${EMAIL_SENT_SCHEMA_ID}#/properties/data`;

/** `$id` of the committed JSON Schema of a dead letter (`schema/dead-letter.v1.schema.json`). */
export const DEAD_LETTER_SCHEMA_ID = 'urn:wolkvox-email-events:schema:dead-letter:v1';

export const CHANNEL_KINDS = ['routing-point', 'campaign', 'unknown'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const utcTime = z.iso.datetime().describe('RFC 3339 in UTC (Z)');

export const EmailSentDataSchema = z
  .looseObject({
    record: Cdr9RecordSchema.describe(
      'The cdr_9 record exactly as the API returned it: every field, including ones this ' +
        'schema does not name, with its raw string values',
    ),
    server: z.string().min(1).describe('The Wolkvox operation (0010 in wv0010.wolkvox.com)'),
    timeZone: z.string().min(1).describe("The operation's IANA time zone, e.g. America/Bogota"),
    sentAt: utcTime.describe('When the email was sent, RFC 3339 in UTC (Z)'),
    sentAtLocal: z
      .string()
      .describe("record.date as sent by the API: the operation's wall clock, no offset"),
    channelKind: z
      .enum(CHANNEL_KINDS)
      .describe('routing-point for email-route-*, campaign for campaign-*, unknown otherwise'),
    channelId: z
      .string()
      .describe('What follows email-route- or campaign-; the whole channel when unknown'),
    recipients: z
      .array(z.string())
      .describe('record.to split on commas and semicolons, trimmed, empty parts dropped'),
    occurrence: z
      .number()
      .int()
      .positive()
      .describe('1..n among records of this operation identical in all six fields'),
  })
  .describe('data of email.sent v1');

export type EmailSentData = z.infer<typeof EmailSentDataSchema>;

export const EmailSentEventSchema = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex characters' })
      .describe('The idempotency key (see the README): equal to the Kafka message key'),
    source: z
      .string()
      .min(1)
      .describe('wolkvox://wv{server}/reports/cdr_9, the operation and report'),
    type: z.literal(EMAIL_SENT_TYPE),
    time: z.iso
      .datetime({ offset: true })
      .describe("When the email was sent, RFC 3339 with the operation's offset at that moment"),
    datacontenttype: z.literal('application/json'),
    dataschema: z.string().min(1).describe(`${EMAIL_SENT_DATASCHEMA} for v1`),
    subject: z.string().min(1).optional().describe('The channel, when not empty'),
    data: EmailSentDataSchema,
  })
  .meta({
    $id: EMAIL_SENT_SCHEMA_ID,
    title: 'email.sent v1',
    description: 'One email sent by a Wolkvox operation: a CloudEvent 1.0 in structured JSON mode',
  });

export type EmailSentEvent = z.infer<typeof EmailSentEventSchema>;

export const QueryWindowSchema = z.object({
  dateIni: z
    .string()
    .regex(/^\d{14}$/, { message: 'must be YYYYmmddHHiiss' })
    .describe('date_ini of the API call, local time YYYYmmddHHiiss'),
  dateEnd: z
    .string()
    .regex(/^\d{14}$/, { message: 'must be YYYYmmddHHiiss' })
    .describe('date_end of the API call, local time YYYYmmddHHiiss'),
});

export type QueryWindow = z.infer<typeof QueryWindowSchema>;

export const DeadLetterSchema = z
  .looseObject({
    reason: z.string().min(1).describe('Why the record is not an event, naming each bad field'),
    server: z.string().min(1).describe('The Wolkvox operation the record came from'),
    // Any JSON value, `null` included: what the API sent may not even be an object.
    raw: z
      .unknown()
      .refine((value) => value !== undefined, { message: 'is required' })
      .describe('The record exactly as received from the API: any JSON value'),
    occurrence: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        '1..n among the identical bad records of one read; part of the key from 2 on. Absent in dead letters written before it was added: read as 1',
      ),
    window: QueryWindowSchema.optional().describe('The API call that returned the record'),
    detectedAt: utcTime.describe('When the poller rejected the record, RFC 3339 in UTC (Z)'),
  })
  .meta({
    $id: DEAD_LETTER_SCHEMA_ID,
    title: 'cdr_9 dead letter v1',
    description: 'A cdr_9 record the poller could not turn into an email.sent event',
  });

export type DeadLetter = z.infer<typeof DeadLetterSchema>;
