import {
  deadLetterKey,
  decodeDeadLetter,
  decodeEmailSent,
  idempotencyKey,
  parseWallTime,
  type Cdr9Record,
} from '@app/contracts';
import { CALL_MARGIN_SECONDS } from './call-bounds.js';
import { mapWindow, WindowMapper, type WholeWindow } from './event-mapping.js';
import { recordBatchBytes } from './message-size.js';

const operation = { server: '0010', timeZone: 'America/Bogota' };
const t = (s: string): number => parseWallTime(`2026-03-01 ${s}`)!;
const window = { from: t('10:00:00'), to: t('10:59:59') };
const at = new Date('2026-03-01T16:00:00Z');

function whole(
  records: WholeWindow['records'],
  invalid: WholeWindow['invalid'] = [],
  maxEventBytes = 1 << 20,
  within = window,
  op = operation,
): WholeWindow {
  return { window: within, records, invalid, operation: op, maxEventBytes, detectedAt: at };
}

function email(
  time: string,
  n: number,
  body = `<p>${n}</p>`,
): { record: Cdr9Record; wall: number } {
  const record = {
    channel: 'campaign-7',
    date: `2026-03-01 ${time}`,
    from: 'a@x.co',
    to: `c${n}@x.co`,
    subject: `s${n}`,
    body,
  };
  return { record, wall: t(time) };
}

describe('mapWindow', () => {
  it('keys events by the contract, numbering identical records', () => {
    const same = email('10:05:00', 1);
    const mapped = mapWindow(whole([same, { ...same }, email('10:06:00', 2)]));
    expect(mapped.events.map((e) => e.key)).toEqual([
      idempotencyKey('0010', same.record, 1),
      idempotencyKey('0010', same.record, 2),
      idempotencyKey('0010', email('10:06:00', 2).record, 1),
    ]);
    for (const e of mapped.events) expect(decodeEmailSent(e.message).ok).toBe(true);
  });

  it('sends an event larger than the topic accepts to the dead-letter topic, keyed by its id, body cut and hashed', () => {
    const big = email('10:10:00', 3, 'x'.repeat(200_000));
    const mapped = mapWindow(whole([big], [], 100_000));
    expect(mapped.events).toEqual([]);
    expect(mapped.oversize).toBe(1);
    expect(mapped.deadLetters).toHaveLength(1);
    const [letter] = mapped.deadLetters;
    expect(letter.key).toBe(idempotencyKey('0010', big.record, 1));
    const decoded = decodeDeadLetter(letter.message);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.deadLetter.reason).toMatch(/^event-too-large: /);
    const raw = decoded.deadLetter.raw as Record<string, unknown>;
    expect(raw.bodyLength).toBe(200_000);
    expect(raw.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect((raw.body as string).length).toBe(64 * 1024);
  });

  it('counts an event as Kafka does, as a record batch: a value just under the limit is still too large', () => {
    const fits = mapWindow(whole([email('10:10:00', 3, 'x'.repeat(90_000))]));
    const bytes = recordBatchBytes(fits.events[0].message);
    const value = fits.events[0].message.value.length;
    // The topic's limit sits between the value and the batch: the value alone would pass.
    expect(
      mapWindow(whole([email('10:10:00', 3, 'x'.repeat(90_000))], [], bytes)).events,
    ).toHaveLength(1);
    const over = mapWindow(whole([email('10:10:00', 3, 'x'.repeat(90_000))], [], value + 1));
    expect([over.events.length, over.oversize]).toEqual([0, 1]);
  });

  it('cuts the long texts of a dead letter larger than the dead-letter topic accepts, keeping its key', () => {
    const raw = { date: '2026-03-01 10:20:00', to: 1, body: 'y'.repeat(300_000) };
    const mapped = mapWindow({
      ...whole([], [{ raw, reason: 'to: expected string' }]),
      maxDeadLetterBytes: 200_000,
    });
    const [letter] = mapped.deadLetters;
    expect(letter.key).toBe(`dlq:${deadLetterKey('0010', raw, 1)}`);
    expect(letter.message.key).toBe(deadLetterKey('0010', raw, 1));
    expect(recordBatchBytes(letter.message)).toBeLessThanOrEqual(200_000);
    const decoded = decodeDeadLetter(letter.message);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.deadLetter.reason).toBe('to: expected string');
    expect(decoded.deadLetter.raw).toMatchObject({ to: 1, bodyLength: 300_000 });
    expect((decoded.deadLetter.raw as { body: string }).body.length).toBe(64 * 1024);
  });

  it('keeps a dead letter whole when it fits', () => {
    const raw = { date: '2026-03-01 10:20:00', to: 1, body: 'y'.repeat(300_000) };
    const [letter] = mapWindow(whole([], [{ raw, reason: 'to: expected string' }])).deadLetters;
    const decoded = decodeDeadLetter(letter.message);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.deadLetter.raw).toEqual(raw);
  });

  it('dead-letters invalid records with their reason, and leaves records outside the window to their own window', () => {
    const mapped = mapWindow(
      whole(
        [email('11:00:00', 4)],
        [{ raw: { date: '2026-03-01 10:20:00', to: 1 }, reason: 'to: expected string' }],
      ),
    );
    expect(mapped.outOfWindow).toBe(1);
    expect(mapped.events).toEqual([]);
    expect(mapped.deadLetters).toEqual([
      expect.objectContaining({
        key: expect.stringMatching(/^dlq:[0-9a-f]{64}$/),
        wall: t('10:20:00'),
      }),
    ]);
  });

  it('dead-letters a local time the zone skips instead of shifting it', () => {
    const ny = { server: '0010', timeZone: 'America/New_York' };
    const gap = parseWallTime('2026-03-08 02:30:00')!;
    const record = {
      channel: 'c',
      date: '2026-03-08 02:30:00',
      from: 'a',
      to: 'b',
      subject: 's',
      body: 'b',
    };
    const mapped = mapWindow(
      whole([{ record, wall: gap }], [], 1 << 20, { from: gap, to: gap }, ny),
    );
    expect(mapped.events).toEqual([]);
    expect(decodeDeadLetter(mapped.deadLetters[0].message)).toMatchObject({
      ok: true,
      deadLetter: { reason: expect.stringMatching(/does not exist in America\/New_York/) },
    });
  });
  it('makes nothing of a key already published but counts it', () => {
    const [one, two] = [email('10:05:00', 1), email('10:06:00', 2)];
    const bad = { raw: { date: '2026-02-30 10:00:00' }, reason: 'date: bad' };
    const first = mapWindow(whole([one, two], [bad]));
    const known = new Set([first.events[0].key, first.deadLetters[0].key]);
    const again = mapWindow(whole([one, two], [bad]), (key) => !known.has(key));
    expect(again.events.map((e) => e.key)).toEqual([first.events[1].key]);
    expect(again.deadLetters).toEqual([]);
    expect(again.published).toBe(1);
  });
});

/** Every message of a window mapped record by record, key first, as the writer does. */
function streamed(
  mapper: WindowMapper,
  records: WholeWindow['records'],
  invalid: WholeWindow['invalid'],
) {
  return [
    ...records.map((r) => {
      const keyed = mapper.keyRecord(r.record, r.wall);
      return keyed && mapper.event(r.record, keyed);
    }),
    ...invalid.map((bad) => {
      const keyed = mapper.keyInvalid(bad.raw);
      return keyed && mapper.invalid(bad.raw, bad.reason, keyed);
    }),
  ].filter((m) => m !== undefined);
}

describe('WindowMapper', () => {
  it('maps record by record to the very messages mapWindow makes of the whole window', () => {
    const same = email('10:05:00', 1);
    const records = [
      same,
      email('10:06:00', 2),
      { ...same },
      email('11:30:00', 3), // outside the window
      email('10:07:00', 4, 'x'.repeat(200_000)), // oversize
      { ...same },
    ];
    const bad = { raw: { date: '2026-03-01 10:20:00', to: 1 }, reason: 'to: expected string' };
    const invalid = [bad, { ...bad }, { raw: 'junk', reason: 'record: expected object' }];
    const all = mapWindow(whole(records, invalid, 100_000));
    const mapper = new WindowMapper(window, operation, 100_000, at);
    const messages = streamed(mapper, records, invalid);
    const of = (kind: string) => messages.filter((m) => m.kind === kind).map((m) => m.keyedMessage);
    expect(of('event')).toEqual(all.events);
    expect(of('dead-letter')).toEqual(all.deadLetters);
    expect([mapper.outOfWindow, mapper.oversize, mapper.mixed]).toEqual([1, 1, false]);
  });

  it('gives identical bad records a dead letter each, numbered, keyed by the contract', () => {
    const raw = { channel: 'c', date: '2026-02-30 10:00:00', to: 7 };
    const mapper = new WindowMapper(window, operation, 1 << 20, at);
    const keyed = [raw, { ...raw }, raw].map((r) => mapper.keyInvalid(r)!);
    expect(keyed.map((k) => k.occurrence)).toEqual([1, 2, 3]);
    expect(keyed.map((k) => k.key)).toEqual(
      [1, 2, 3].map((n) => `dlq:${deadLetterKey('0010', raw, n)}`),
    );
    const letter = mapper.invalid(raw, 'date: bad', keyed[1]).keyedMessage;
    expect(letter.key).toBe(`dlq:${letter.message.key}`);
    expect(decodeDeadLetter(letter.message)).toMatchObject({
      ok: true,
      deadLetter: { occurrence: 2 },
    });
  });

  it('remembers a bad record with no usable date until no later call can return it', () => {
    const mapper = new WindowMapper(window, operation, 1 << 20, at);
    // The call reached at most a margin past `to`; later calls start a margin before
    // settledBefore: the key must outlive settledBefore up to to + 2 margins.
    const last = window.to + 2 * CALL_MARGIN_SECONDS;
    for (const raw of [{ date: '2026-02-30 10:00:00' }, { date: 20260301 }, {}, null, 'text', [1]])
      expect(mapper.keyInvalid(raw)?.wall).toBe(last);
  });

  it('leaves a bad record whose own date lies outside the window to the window that holds it', () => {
    const mapper = new WindowMapper(window, operation, 1 << 20, at);
    expect(mapper.keyInvalid({ date: '2026-03-01 11:00:00', to: 1 })).toBeUndefined();
    expect(mapper.keyInvalid({ date: '2026-03-01 09:59:59', to: 1 })).toBeUndefined();
    expect(mapper.keyInvalid({ date: '2026-03-01 10:59:59', to: 1 })?.wall).toBe(window.to);
    expect(mapper.outOfWindow).toBe(2);
  });

  it('leaves a record unmapped and says so when its identical records differ outside the six fields', () => {
    const plain = email('10:05:00', 1);
    const mapper = new WindowMapper(window, operation, 1 << 20, at);
    expect(mapper.keyRecord(plain.record, plain.wall)).toBeDefined();
    expect(mapper.keyRecord({ ...plain.record, agent: 'z' }, plain.wall)).toBeUndefined();
    expect(mapper.mixed).toBe(true);
  });
});
