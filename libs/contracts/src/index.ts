// Runtime values first, then types, kept apart so that `isolatedModules` builds and subscribers'
// bundlers can erase the type-only half.
export {
  SECONDS_PER_DAY,
  formatQueryTime,
  formatRfc3339,
  formatWallTime,
  exactInstantOf,
  instantOf,
  isValidTimeZone,
  localDayOf,
  offsetSecondsAt,
  parseQueryTime,
  parseWallTime,
  startOfNextLocalDay,
  wallTimeOf,
} from './local-time.js';
export { CDR9_FIELDS, Cdr9RecordSchema, validateCdr9Record } from './cdr9-record.js';
export { DEFAULT_TOPICS, TOPIC_CLEANUP_POLICIES } from './topics.js';
export { emailSentSource } from './operation.js';
export {
  IDEMPOTENCY_KEY_NAMESPACE,
  idempotencyKey,
  idempotencyKeyMaterial,
  keyedWithOccurrences,
  RunningKeyer,
  withOccurrences,
} from './idempotency-key.js';
export {
  CHANNEL_KINDS,
  DEAD_LETTER_SCHEMA_ID,
  DeadLetterSchema,
  EMAIL_SENT_DATASCHEMA,
  EMAIL_SENT_SCHEMA_ID,
  EMAIL_SENT_TYPE,
  EmailSentDataSchema,
  EmailSentEventSchema,
  QueryWindowSchema,
} from './email-sent.event.js';
export {
  CLOUDEVENTS_JSON,
  DEAD_LETTER_CONTENT_TYPE,
  EMAIL_SENT_CONTENT_TYPE,
  decodeDeadLetter,
  decodeEmailSent,
  encodeDeadLetter,
  encodeEmailSent,
  parseChannel,
  parseRecipients,
  toDeadLetter,
  toEmailSentEvent,
} from './codec.js';
export { EMAIL_SENT_MAJOR, unsupportedMajor } from './event-version.js';
export { DEAD_LETTER_KEY_NAMESPACE, DeadLetterKeyer, deadLetterKey } from './dead-letter-key.js';
export { CONTRACT_VERSION, renderContractFiles } from './machine-readable.js';

export type { WallSeconds, ZonedInstant } from './local-time.js';
export type { Cdr9Record, Cdr9Validation } from './cdr9-record.js';
export type { TopicRole, Topics } from './topics.js';
export type { Operation } from './operation.js';
export type { Cdr9KeyFields, KeyedRecord, NumberedRecord } from './idempotency-key.js';
export type {
  ChannelKind,
  DeadLetter,
  EmailSentData,
  EmailSentEvent,
  QueryWindow,
} from './email-sent.event.js';
export type { DeadLetterDecoding, EventDecoding, EventMapping } from './codec.js';
export type { EncodedMessage, RawHeaderValue, RawKafkaMessage } from './kafka-message.js';
export type { ContractFile } from './machine-readable.js';
export { MAX_QUERY_SPAN_SECONDS, SERVER_CODE_PATTERN, TOKEN_PATTERN } from './wolkvox-api.js';
