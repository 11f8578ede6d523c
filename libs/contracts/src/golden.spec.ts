import { readdirSync, readFileSync } from 'node:fs';
import { decodeDeadLetter, decodeEmailSent } from './codec.js';
import { deadLetterKey } from './dead-letter-key.js';
import { idempotencyKey } from './idempotency-key.js';
import type { RawKafkaMessage } from './kafka-message.js';

/**
 * Kafka messages as v1 producers wrote them. They must keep decoding for as long as v1 is
 * published: a change that breaks one of these breaks subscribers, and needs a new `type`.
 */
interface Golden {
  description: string;
  key: string;
  headers: Record<string, string>;
  value: unknown;
}

const dir = new URL('../test-vectors/golden/', import.meta.url);
const goldens = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Golden] as const);

/** As kafkajs delivers it: Buffers for key, value and headers. */
function received(golden: Golden, value: unknown = golden.value): RawKafkaMessage {
  return {
    key: Buffer.from(golden.key),
    value: Buffer.from(JSON.stringify(value)),
    headers: Object.fromEntries(
      Object.entries(golden.headers).map(([name, text]) => [name, Buffer.from(text)]),
    ),
  };
}

const events = goldens.filter(([file]) => file.startsWith('email-sent.'));
const deadLetters = goldens.filter(([file]) => file.startsWith('dead-letter.'));

describe('golden v1 messages', () => {
  it('exist for events and dead letters', () => {
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(deadLetters.length).toBeGreaterThanOrEqual(1);
  });

  it.each(events)('%s decodes to the same event, its id still the key', (_file, golden) => {
    const decoded = decodeEmailSent(received(golden));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.event).toEqual(golden.value);
    const { data } = decoded.event;
    expect(idempotencyKey(data.server, data.record, data.occurrence)).toBe(decoded.event.id);
  });

  it.each(deadLetters)('%s decodes, its key recomputed from it', (_file, golden) => {
    const decoded = decodeDeadLetter(received(golden));
    expect(decoded).toEqual({ ok: true, deadLetter: golden.value });
    if (!decoded.ok) return;
    const { server, raw, occurrence } = decoded.deadLetter;
    expect(deadLetterKey(server, raw, occurrence ?? 1)).toBe(golden.key);
  });

  it.each(events)('%s, broken, names the broken field', (_file, golden) => {
    const value = structuredClone(golden.value) as { data: { sentAt: string } };
    value.data.sentAt = 'yesterday';
    expect(decodeEmailSent(received(golden, value))).toEqual({
      ok: false,
      error: 'data.sentAt: Invalid ISO datetime',
    });
  });
});
