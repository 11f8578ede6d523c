import { readFileSync } from 'node:fs';
import { Kafka as CeKafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import type { Cdr9Record } from './cdr9-record.js';
import { encodeEmailSent, toEmailSentEvent } from './codec.js';
import type { EncodedMessage } from './kafka-message.js';
import { withOccurrences } from './idempotency-key.js';

// The reference SDK's reading of our messages, not ours: if its Kafka binding and its JSON
// Schema validation accept every event the encoder makes, CloudEvents tooling will too.

const { vectors } = JSON.parse(
  readFileSync(new URL('../test-vectors/idempotency-keys.json', import.meta.url), 'utf8'),
) as { vectors: { name: string; record: Cdr9Record }[] };

const zones = ['America/Bogota', 'America/New_York', 'Asia/Kolkata', 'UTC'];
const named: [string, Cdr9Record][] = [
  ...vectors.map((vector) => [vector.name, vector.record] as [string, Cdr9Record]),
  [
    'no channel, an hour New York shows twice',
    { channel: '', date: '2026-11-01 01:30:00', from: '', to: '', subject: '', body: '' },
  ],
  [
    'a leap day, no recipients',
    {
      channel: 'campaign-9',
      date: '2024-02-29 23:59:59',
      from: 'a',
      to: ';',
      subject: 's',
      body: 'b',
    },
  ],
];

function sdkEventOf(message: EncodedMessage): CloudEvent<unknown> {
  // `toEvent` is typed for any binding's Message, but the Kafka binding reads `key` and `value`.
  const kafkaMessage: KafkaMessage<Buffer> = {
    key: message.key,
    value: message.value,
    body: message.value,
    // The SDK wants string header values (it calls startsWith on them), not kafkajs' Buffers.
    headers: { ...message.headers },
  };
  const received = CeKafka.toEvent(kafkaMessage);
  if (Array.isArray(received)) throw new Error('expected one event, got a batch');
  return received as CloudEvent<unknown>;
}

describe('the cloudevents SDK Kafka binding', () => {
  const numbered = withOccurrences(named.map(([, record]) => record));
  const cases = zones.flatMap((timeZone) =>
    numbered.map(({ record, occurrence }, index) => {
      const mapped = toEmailSentEvent(record, occurrence, { server: '0010', timeZone });
      if (!mapped.ok) throw new Error(mapped.reason);
      return [`${timeZone}: ${named[index][0]}`, mapped.event] as const;
    }),
  );

  it.each(cases)('accepts and validates %s', (_name, event) => {
    const message = encodeEmailSent(event);
    expect(CeKafka.isEvent({ headers: { ...message.headers }, body: message.value })).toBe(true);
    const received = sdkEventOf(message);
    expect(received.validate()).toBe(true);
    expect(received).toMatchObject({
      id: event.id,
      source: event.source,
      type: 'email.sent',
      specversion: '1.0',
      dataschema: event.dataschema,
      data: JSON.parse(JSON.stringify(event.data)),
      // The binding maps the Kafka key to the `partitionkey` extension.
      partitionkey: event.id,
    });
    // The SDK rewrites `time` to UTC with milliseconds: the instant must survive.
    expect(Date.parse(received.time!)).toBe(Date.parse(event.time));
  });

  it('would reject what the spec forbids (so the check above can fail)', () => {
    const [, event] = cases[0];
    const broken = encodeEmailSent({ ...event, source: 'not a uri' });
    expect(() => sdkEventOf(broken).validate()).toThrow();
  });
});
