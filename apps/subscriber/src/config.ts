import { DEFAULT_TOPICS } from '@wolkvox-email-events/contracts';

/** What the subscriber needs to run, read from the environment (see the README's table). */
export interface SubscriberConfig {
  readonly brokers: string[];
  readonly groupId: string;
  readonly eventsTopic: string;
  readonly deadLettersTopic: string;
  /** Where messages this subscriber refuses go, so that they are kept and the partition moves. */
  readonly parkedTopic: string;
  /** The file of handled keys: one per line, appended to before the offset is committed. */
  readonly handledKeysFile: string;
  /** A group with no committed offset starts at the topic's first record (else at its end). */
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
}

export type ConfigReading =
  { ok: true; config: SubscriberConfig } | { ok: false; problems: string[] };

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[^\s:,]+:\d{1,5}$/;

/** Pure: the environment to a config, or one line per problem (main exits 78 with them). */
export function readConfig(env: Readonly<Record<string, string | undefined>>): ConfigReading {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;

  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) problems.push('KAFKA_BROKERS: required, e.g. 127.0.0.1:9092');
  for (const broker of brokers) {
    if (!BROKER.test(broker)) problems.push(`KAFKA_BROKERS: "${broker}" is not host:port`);
  }

  const groupId = text('SUBSCRIBER_GROUP_ID', 'email-sent-subscriber');
  const topics = {
    EMAIL_SENT_TOPIC: text('EMAIL_SENT_TOPIC', DEFAULT_TOPICS.events),
    EMAIL_DEAD_LETTER_TOPIC: text('EMAIL_DEAD_LETTER_TOPIC', DEFAULT_TOPICS.deadLetters),
    SUBSCRIBER_PARKED_TOPIC: text('SUBSCRIBER_PARKED_TOPIC', `${groupId}.parked`),
  };
  for (const [name, topic] of Object.entries(topics)) {
    if (!TOPIC.test(topic)) problems.push(`${name}: "${topic}" is not a Kafka topic name`);
  }

  const fromBeginning = text('SUBSCRIBER_FROM_BEGINNING', 'true');
  if (fromBeginning !== 'true' && fromBeginning !== 'false') {
    problems.push(`SUBSCRIBER_FROM_BEGINNING: "${fromBeginning}" is not true or false`);
  }
  // The broker's group.min.session.timeout.ms is 6 s by default; 5 minutes is its maximum.
  const sessionTimeoutMs = Number(text('SUBSCRIBER_SESSION_TIMEOUT_MS', '10000'));
  if (
    !Number.isInteger(sessionTimeoutMs) ||
    sessionTimeoutMs < 6000 ||
    sessionTimeoutMs > 300_000
  ) {
    problems.push('SUBSCRIBER_SESSION_TIMEOUT_MS: must be whole milliseconds from 6000 to 300000');
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      brokers,
      groupId,
      eventsTopic: topics.EMAIL_SENT_TOPIC,
      deadLettersTopic: topics.EMAIL_DEAD_LETTER_TOPIC,
      parkedTopic: topics.SUBSCRIBER_PARKED_TOPIC,
      handledKeysFile: text('SUBSCRIBER_HANDLED_KEYS_FILE', `handled-keys.${groupId}.txt`),
      fromBeginning: fromBeginning === 'true',
      sessionTimeoutMs,
    },
  };
}
