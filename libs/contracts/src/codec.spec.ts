import type { Cdr9Record } from './cdr9-record.js';
import {
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
import { deadLetterKey } from './dead-letter-key.js';
import type { EmailSentEvent } from './email-sent.event.js';
import { idempotencyKey } from './idempotency-key.js';
import type { EncodedMessage, RawKafkaMessage } from './kafka-message.js';

const bogota = { server: '0010', timeZone: 'America/Bogota' };
const record: Cdr9Record = {
  channel: 'email-route-00012',
  date: '2026-03-01 08:15:00',
  from: 'soporte@example.com',
  to: 'ana@example.com; luis@example.com',
  subject: 'Su caso #4411',
  body: '<p>Hola</p>',
};

function eventOf(raw: Cdr9Record = record, occurrence = 1, operation = bogota): EmailSentEvent {
  const mapped = toEmailSentEvent(raw, occurrence, operation);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.event;
}

/** What kafkajs hands a consumer: Buffers for key, value and every header. */
function asReceived(message: EncodedMessage): RawKafkaMessage {
  return {
    key: Buffer.from(message.key),
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)]),
    ),
  };
}

function withValue(message: EncodedMessage, edit: (value: Record<string, unknown>) => void) {
  const value = JSON.parse(message.value.toString('utf8')) as Record<string, unknown>;
  edit(value);
  return { ...asReceived(message), value: Buffer.from(JSON.stringify(value)) };
}

describe('toEmailSentEvent', () => {
  it('maps a record to the v1 event', () => {
    expect(eventOf()).toEqual({
      specversion: '1.0',
      id: idempotencyKey('0010', record, 1),
      source: 'wolkvox://wv0010/reports/cdr_9',
      type: 'email.sent',
      subject: 'email-route-00012',
      time: '2026-03-01T08:15:00-05:00',
      datacontenttype: 'application/json',
      dataschema: 'urn:wolkvox-email-events:schema:email-sent:v1#/properties/data',
      data: {
        record,
        server: '0010',
        timeZone: 'America/Bogota',
        sentAt: '2026-03-01T13:15:00Z',
        sentAtLocal: '2026-03-01 08:15:00',
        channelKind: 'routing-point',
        channelId: '00012',
        recipients: ['ana@example.com', 'luis@example.com'],
        occurrence: 1,
      },
    });
  });

  it('keeps every field of the record, known or not', () => {
    const extra = { ...record, agent: 'AG-9', nested: { a: [1, 'two'] } };
    expect(eventOf(extra).data.record).toEqual(extra);
  });

  it("uses the zone's offset at that moment", () => {
    const newYork = { server: '0010', timeZone: 'America/New_York' };
    expect(eventOf({ ...record, date: '2026-01-15 09:00:00' }, 1, newYork).time).toBe(
      '2026-01-15T09:00:00-05:00',
    );
    const summer = eventOf({ ...record, date: '2026-07-15 09:00:00' }, 1, newYork);
    expect(summer.time).toBe('2026-07-15T09:00:00-04:00');
    expect(summer.data.sentAt).toBe('2026-07-15T13:00:00Z');
  });

  it('reports a local time the zone skips instead of shifting it', () => {
    const gap = toEmailSentEvent({ ...record, date: '2026-03-08 02:30:00' }, 1, {
      server: '0010',
      timeZone: 'America/New_York',
    });
    expect(gap).toEqual({ ok: false, reason: expect.stringMatching(/^date: .*does not exist/) });
  });

  it('reports a date that is not a calendar time', () => {
    const result = toEmailSentEvent({ ...record, date: '2026-02-30 10:00:00' }, 1, bogota);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^date: /) });
  });

  it('leaves out the subject when the channel is empty (CloudEvents forbids an empty one)', () => {
    const event = eventOf({ ...record, channel: '' });
    expect(event).not.toHaveProperty('subject');
    expect(event.data).toMatchObject({ channelKind: 'unknown', channelId: '' });
  });

  it('is frozen all the way down, and leaves the caller record alone', () => {
    const mine = { ...record, nested: { a: 1 } };
    const event = eventOf(mine);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.data.recipients)).toBe(true);
    expect(Object.isFrozen(event.data.record.nested)).toBe(true);
    expect(Object.isFrozen(mine)).toBe(false);
    expect(() => {
      (event.data as { server: string }).server = 'x';
    }).toThrow(TypeError);
  });
});

describe('parseChannel and parseRecipients', () => {
  it.each([
    ['email-route-00012', 'routing-point', '00012'],
    ['campaign-777', 'campaign', '777'],
    ['email-route-', 'unknown', 'email-route-'],
    ['whatsapp-3', 'unknown', 'whatsapp-3'],
    ['Campaign-1', 'unknown', 'Campaign-1'],
  ])('%s is a %s with id %s', (channel, channelKind, channelId) => {
    expect(parseChannel(channel)).toEqual({ channelKind, channelId });
  });

  it('splits on commas and semicolons, trims, and drops empty parts', () => {
    expect(parseRecipients(' a@x.com; b@x.com,,c@x.com ;')).toEqual([
      'a@x.com',
      'b@x.com',
      'c@x.com',
    ]);
    expect(parseRecipients('   ')).toEqual([]);
  });
});

describe('encodeEmailSent and decodeEmailSent', () => {
  it('encodes in structured mode: key = id, value = the event as JSON', () => {
    const event = eventOf();
    const message = encodeEmailSent(event);
    expect(message.key).toBe(event.id);
    expect(message.headers).toEqual({ 'content-type': EMAIL_SENT_CONTENT_TYPE });
    expect(JSON.parse(message.value.toString('utf8'))).toEqual(event);
  });

  it('round-trips through Buffers the way kafkajs delivers them', () => {
    const event = eventOf({ ...record, subject: 'Ñandú ✅ "quoted"\n', extra: 'kept' });
    const decoded = decodeEmailSent(asReceived(encodeEmailSent(event)));
    expect(decoded).toEqual({ ok: true, event });
    if (decoded.ok) expect(Object.isFrozen(decoded.event.data.record)).toBe(true);
  });

  it('accepts string keys and headers, and any case of the header name', () => {
    const message = encodeEmailSent(eventOf());
    const decoded = decodeEmailSent({
      key: message.key,
      value: message.value.toString('utf8'),
      headers: { 'Content-Type': 'application/CloudEvents+JSON; charset="utf-8"' },
    });
    expect(decoded.ok).toBe(true);
  });

  it('keeps fields a later compatible version adds', () => {
    const message = withValue(encodeEmailSent(eventOf()), (value) => {
      value.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      (value.data as Record<string, unknown>).campaignName = 'Ventas';
    });
    const decoded = decodeEmailSent(message);
    expect(decoded.ok && decoded.event.traceparent).toMatch(/^00-/);
    expect(decoded.ok && decoded.event.data.campaignName).toBe('Ventas');
  });

  it('refuses an event of another major version as such, not field by field', () => {
    const message = withValue(encodeEmailSent(eventOf()), (value) => {
      value.type = 'email.sent.v2';
      value.dataschema = 'urn:wolkvox-email-events:schema:email-sent:v2#/properties/data';
      value.data = { renamed: true };
    });
    expect(decodeEmailSent(message)).toEqual({
      ok: false,
      error: expect.stringMatching(/^type: "email.sent.v2" is email.sent major version 2;/),
    });
  });

  it.each<[string, (message: EncodedMessage) => RawKafkaMessage, RegExp]>([
    [
      'a missing content-type',
      (m) => ({ ...asReceived(m), headers: {} }),
      /^headers\.content-type: missing/,
    ],
    [
      'a binary-mode content-type',
      (m) => ({ ...asReceived(m), headers: { 'content-type': Buffer.from('application/json') } }),
      /^headers\.content-type: "application\/json" is not application\/cloudevents\+json/,
    ],
    [
      'a charset other than UTF-8',
      (m) => ({
        ...asReceived(m),
        headers: { 'content-type': 'application/cloudevents+json; charset=ISO-8859-1' },
      }),
      /charset "iso-8859-1" is not UTF-8/,
    ],
    [
      'a content-type sent twice',
      (m) => ({ ...asReceived(m), headers: { 'content-type': [EMAIL_SENT_CONTENT_TYPE, 'x/y'] } }),
      /^headers\.content-type: sent 2 times/,
    ],
    ['a tombstone', (m) => ({ ...asReceived(m), value: null }), /^value: missing/],
    [
      'bytes that are not UTF-8',
      (m) => ({ ...asReceived(m), value: Buffer.from([0x7b, 0xff, 0x7d]) }),
      /^value: not UTF-8/,
    ],
    ['text that is not JSON', (m) => ({ ...asReceived(m), value: '{"id":' }), /^value: not JSON/],
    [
      'a key that is not the id',
      (m) => ({ ...asReceived(m), key: Buffer.from('other') }),
      /^key: "other" does not equal id "[0-9a-f]{64}"/,
    ],
    ['a missing key', (m) => ({ ...asReceived(m), key: null }), /^key: missing/],
    [
      'another type',
      (m) => withValue(m, (v) => (v.type = 'email.bounced')),
      /^type: Invalid input: expected "email\.sent"/,
    ],
    [
      'a time without offset',
      (m) => withValue(m, (v) => (v.time = '2026-03-01T08:15:00')),
      /^time: Invalid ISO datetime/,
    ],
    [
      'a record field of the wrong type',
      (m) => withValue(m, (v) => ((v.data as { record: { to: unknown } }).record.to = 42)),
      /^data\.record\.to: Invalid input: expected string, received number/,
    ],
    [
      'a recipient of the wrong type',
      (m) => withValue(m, (v) => ((v.data as { recipients: unknown[] }).recipients[1] = null)),
      /^data\.recipients\[1\]: Invalid input: expected string, received null/,
    ],
    [
      'a missing occurrence',
      (m) => withValue(m, (v) => delete (v.data as { occurrence?: number }).occurrence),
      /^data\.occurrence: Invalid input: expected number, received undefined/,
    ],
    ['a value that is not an object', (m) => ({ ...asReceived(m), value: '[]' }), /^value: /],
  ])('rejects %s, naming the field', (_what, breakIt, error) => {
    const decoded = decodeEmailSent(breakIt(encodeEmailSent(eventOf())));
    expect(decoded).toEqual({ ok: false, error: expect.stringMatching(error) });
  });
});

describe('dead letters', () => {
  const raw = { ...record, date: '2026-02-30 10:00:00', to: 42 };
  const window = { dateIni: '20260301080000', dateEnd: '20260301081500' };
  const at = new Date('2026-03-01T13:20:00.000Z');

  it('round-trips, with the raw value as received', () => {
    const deadLetter = toDeadLetter({ raw, reason: 'to: not a string' }, '0010', at, window);
    expect(deadLetter).toEqual({
      reason: 'to: not a string',
      server: '0010',
      raw,
      occurrence: 1,
      window,
      detectedAt: '2026-03-01T13:20:00.000Z',
    });
    const message = encodeDeadLetter(deadLetter);
    expect(message.headers).toEqual({ 'content-type': 'application/json; charset=UTF-8' });
    expect(decodeDeadLetter(asReceived(message))).toEqual({ ok: true, deadLetter });
  });

  it('keys the same bad record the same way whatever its key order or when it was seen', () => {
    const later = toDeadLetter({ raw: { ...raw }, reason: 'r' }, '0010', new Date());
    const reordered = Object.fromEntries(Object.entries(raw).reverse());
    expect(encodeDeadLetter(later).key).toBe(deadLetterKey('0010', reordered));
    expect(deadLetterKey('0011', raw)).not.toBe(deadLetterKey('0010', raw));
    expect(deadLetterKey('0010', { ...raw, to: 43 })).not.toBe(deadLetterKey('0010', raw));
  });

  it('keys the second of identical bad records by its occurrence', () => {
    const second = toDeadLetter({ raw, reason: 'r' }, '0010', at, window, 2);
    const message = encodeDeadLetter(second);
    expect(message.key).toBe(deadLetterKey('0010', raw, 2));
    expect(message.key).not.toBe(
      encodeDeadLetter(toDeadLetter({ raw, reason: 'r' }, '0010', at)).key,
    );
    expect(decodeDeadLetter(asReceived(message))).toEqual({ ok: true, deadLetter: second });
  });

  it('carries raw values that are not objects, null included', () => {
    for (const value of [null, 'text', 7, [1, 2]]) {
      const message = encodeDeadLetter(toDeadLetter({ raw: value, reason: 'r' }, '0010', at));
      expect(decodeDeadLetter(asReceived(message))).toMatchObject({
        ok: true,
        deadLetter: { raw: value },
      });
    }
  });

  it('names the broken field', () => {
    const message = encodeDeadLetter(toDeadLetter({ raw, reason: 'r' }, '0010', at, window));
    const broken = withValue(message, (v) => ((v.window as { dateEnd: string }).dateEnd = '2026'));
    expect(decodeDeadLetter(broken)).toEqual({
      ok: false,
      error: 'window.dateEnd: must be YYYYmmddHHiiss',
    });
    const noRaw = withValue(message, (v) => delete v.raw);
    expect(decodeDeadLetter(noRaw)).toEqual({ ok: false, error: 'raw: is required' });
  });
});
