import { z } from 'zod';
import {
  DEAD_LETTER_CONTENT_TYPE,
  EMAIL_SENT_CONTENT_TYPE,
  toDeadLetter,
  toEmailSentEvent,
} from './codec.js';
import { DeadLetterSchema, EMAIL_SENT_TYPE, EmailSentEventSchema } from './email-sent.event.js';
import { prettyJson } from './pretty-json.js';
import { DEFAULT_TOPICS, TOPIC_CLEANUP_POLICIES, type TopicRole } from './topics.js';

/**
 * The machine-readable contract, rendered from the zod schemas: JSON Schemas of the event and the
 * dead letter, and an AsyncAPI 3 document of the topics. Pure, so that a spec can compare the
 * committed files with what the schemas say today (`scripts/generate-contracts.ts` writes them).
 */

/** Version of the AsyncAPI document: the major moves with a new event `type` or topic. */
export const CONTRACT_VERSION = '1.0.0';

export type ContractFile =
  'schema/email-sent.v1.schema.json' | 'schema/dead-letter.v1.schema.json' | 'asyncapi.json';

/** File contents by path relative to `libs/contracts/`. */
export function renderContractFiles(): Record<ContractFile, string> {
  const emailSent = jsonSchemaOf(EmailSentEventSchema);
  const deadLetter = jsonSchemaOf(DeadLetterSchema);
  return {
    'schema/email-sent.v1.schema.json': asText(emailSent),
    'schema/dead-letter.v1.schema.json': asText(deadLetter),
    'asyncapi.json': asText(asyncApiDocument(emailSent, deadLetter)),
  };
}

type JsonObject = Record<string, unknown>;

// Draft-07 because it is the newest JSON Schema dialect AsyncAPI 3 tools read; every JSON Schema
// validator in common use reads it too.
const JSON_SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

function jsonSchemaOf(schema: z.ZodType): JsonObject {
  return z.toJSONSchema(schema, { target: 'draft-07' });
}

function asText(document: JsonObject): string {
  return prettyJson(document);
}

const KEY_SCHEMAS = {
  events: {
    type: 'string',
    pattern: '^[0-9a-f]{64}$',
    description: 'The idempotency key, equal to the event id (README, "Idempotency key")',
  },
  deadLetters: {
    type: 'string',
    pattern: '^[0-9a-f]{64}$',
    description:
      'SHA-256 of the canonical [namespace, server, raw], occurrence appended from 2 on: a re-read gets the same key, identical bad records a key each (README, "Dead letters")',
  },
  progress: {
    type: 'string',
    description:
      'Chosen by the poller (starts with the server code); the latest value per key counts',
  },
} satisfies Record<TopicRole, JsonObject>;

/**
 * One example of each message, made by the encoder itself: AsyncAPI tools validate examples
 * against the payload schema, so the document also proves the schema accepts what is published.
 */
function exampleEvent(): JsonObject {
  const mapped = toEmailSentEvent(
    {
      channel: 'email-route-00012',
      date: '2026-03-01 08:15:00',
      from: 'soporte@example.com',
      to: 'ana@example.com; luis@example.com',
      subject: 'Su caso #4411',
      body: '<p>Hola Ana,</p><p>Su caso fue resuelto.</p>',
    },
    1,
    { server: '0010', timeZone: 'America/Bogota' },
  );
  if (!mapped.ok) throw new Error(`the AsyncAPI example does not map: ${mapped.reason}`);
  return mapped.event;
}

function exampleDeadLetter(): JsonObject {
  return toDeadLetter(
    {
      raw: { channel: 'email-route-00012', date: '2026-02-30 10:00:00', from: 'a@example.com' },
      reason:
        'date: must be a real local time written YYYY-MM-DD HH:MM:SS; to: Invalid input: ' +
        'expected string, received undefined; subject: Invalid input: expected string, ' +
        'received undefined; body: Invalid input: expected string, received undefined',
    },
    '0010',
    new Date('2026-03-01T13:20:00.000Z'),
    { dateIni: '20260301080000', dateEnd: '20260301081500' },
  );
}

function headersSchema(contentType: string): JsonObject {
  return {
    type: 'object',
    properties: { 'content-type': { type: 'string', const: contentType } },
    required: ['content-type'],
  };
}

function channel(role: TopicRole, title: string, description: string, message: string): JsonObject {
  return {
    address: DEFAULT_TOPICS[role],
    title,
    description: `${description} Default topic name; deployments may override it.`,
    messages: { [message]: { $ref: `#/components/messages/${message}` } },
    bindings: {
      kafka: {
        topic: DEFAULT_TOPICS[role],
        topicConfiguration: { 'cleanup.policy': [TOPIC_CLEANUP_POLICIES[role]] },
        bindingVersion: '0.5.0',
      },
    },
  };
}

function asyncApiDocument(emailSent: JsonObject, deadLetter: JsonObject): JsonObject {
  return {
    asyncapi: '3.0.0',
    id: 'urn:wolkvox-email-events',
    info: {
      title: 'Wolkvox email events',
      version: CONTRACT_VERSION,
      description:
        'Every email a Wolkvox operation sends (report cdr_9) as one email.sent CloudEvent on ' +
        'Kafka, the records that could not be published as dead letters, and the poller progress.',
    },
    channels: {
      emailSent: channel(
        'events',
        'email.sent events',
        'One CloudEvent per email, structured JSON mode, keyed by its idempotency key.',
        'emailSentV1',
      ),
      deadLetters: channel(
        'deadLetters',
        'Dead letters',
        'cdr_9 records that failed validation or mapping, with the raw value and the reason.',
        'deadLetterV1',
      ),
      pollerProgress: channel(
        'progress',
        'Poller progress',
        'The poller checkpoint, compacted. Internal to the poller: not a subscriber contract.',
        'pollerProgress',
      ),
    },
    operations: {
      publishEmailSent: {
        action: 'send',
        title: 'The poller publishes email.sent events',
        channel: { $ref: '#/channels/emailSent' },
        messages: [{ $ref: '#/channels/emailSent/messages/emailSentV1' }],
      },
      publishDeadLetter: {
        action: 'send',
        title: 'The poller publishes records it cannot turn into events',
        channel: { $ref: '#/channels/deadLetters' },
        messages: [{ $ref: '#/channels/deadLetters/messages/deadLetterV1' }],
      },
      saveProgress: {
        action: 'send',
        title: 'The poller writes its checkpoint with the events it covers',
        channel: { $ref: '#/channels/pollerProgress' },
        messages: [{ $ref: '#/channels/pollerProgress/messages/pollerProgress' }],
      },
    },
    components: {
      messages: {
        emailSentV1: {
          name: EMAIL_SENT_TYPE,
          title: 'email.sent v1',
          summary: 'One email sent by a Wolkvox routing point or campaign.',
          contentType: EMAIL_SENT_CONTENT_TYPE,
          headers: headersSchema(EMAIL_SENT_CONTENT_TYPE),
          payload: { schemaFormat: JSON_SCHEMA_FORMAT, schema: emailSent },
          examples: [
            {
              name: 'routingPoint',
              summary: 'An email from a routing point of operation 0010 (Bogota, UTC-5)',
              headers: { 'content-type': EMAIL_SENT_CONTENT_TYPE },
              payload: exampleEvent(),
            },
          ],
          bindings: { kafka: { key: KEY_SCHEMAS.events, bindingVersion: '0.5.0' } },
        },
        deadLetterV1: {
          name: 'cdr_9.dead-letter',
          title: 'cdr_9 dead letter v1',
          contentType: DEAD_LETTER_CONTENT_TYPE,
          headers: headersSchema(DEAD_LETTER_CONTENT_TYPE),
          payload: { schemaFormat: JSON_SCHEMA_FORMAT, schema: deadLetter },
          examples: [
            {
              name: 'impossibleDate',
              summary: 'A record with an impossible date and missing fields',
              headers: { 'content-type': DEAD_LETTER_CONTENT_TYPE },
              payload: exampleDeadLetter(),
            },
          ],
          bindings: { kafka: { key: KEY_SCHEMAS.deadLetters, bindingVersion: '0.5.0' } },
        },
        pollerProgress: {
          name: 'poller.progress',
          title: 'Poller checkpoint',
          summary: 'Where the poller resumes; its format belongs to the poller and may change.',
          payload: { type: 'object' },
          bindings: { kafka: { key: KEY_SCHEMAS.progress, bindingVersion: '0.5.0' } },
        },
      },
    },
  };
}
