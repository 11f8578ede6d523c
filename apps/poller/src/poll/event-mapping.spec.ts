import {
  decodeDeadLetter,
  decodeEmailSent,
  idempotencyKey,
  parseWallTime,
  type Cdr9Record,
} from '@app/contracts';
import { mapWindow, WindowMapper } from './event-mapping.js';

const operation = { server: '0010', timeZone: 'America/Bogota' };
const t = (s: string): number => parseWallTime(`2026-03-01 ${s}`)!;
const window = { from: t('10:00:00'), to: t('10:59:59') };
const at = new Date('2026-03-01T16:00:00Z');

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
    const mapped = mapWindow(
      window,
      [same, { ...same }, email('10:06:00', 2)],
      [],
      operation,
      1 << 20,
      at,
    );
    expect(mapped.events.map((e) => e.key)).toEqual([
      idempotencyKey('0010', same.record, 1),
      idempotencyKey('0010', same.record, 2),
      idempotencyKey('0010', email('10:06:00', 2).record, 1),
    ]);
    for (const e of mapped.events) expect(decodeEmailSent(e.message).ok).toBe(true);
  });

  it('sends an event larger than the topic accepts to the dead-letter topic, keyed by its id, body cut and hashed', () => {
    const big = email('10:10:00', 3, 'x'.repeat(200_000));
    const mapped = mapWindow(window, [big], [], operation, 100_000, at);
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

  it('dead-letters invalid records with their reason, and leaves records outside the window to their own window', () => {
    const mapped = mapWindow(
      window,
      [email('11:00:00', 4)],
      [{ raw: { date: '2026-03-01 10:20:00', to: 1 }, reason: 'to: expected string' }],
      operation,
      1 << 20,
      at,
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
    const mapped = mapWindow({ from: gap, to: gap }, [{ record, wall: gap }], [], ny, 1 << 20, at);
    expect(mapped.events).toEqual([]);
    expect(decodeDeadLetter(mapped.deadLetters[0].message)).toMatchObject({
      ok: true,
      deadLetter: { reason: expect.stringMatching(/does not exist in America\/New_York/) },
    });
  });
});

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
    const invalid = [
      { raw: { date: '2026-03-01 10:20:00', to: 1 }, reason: 'to: expected string' },
    ];
    const whole = mapWindow(window, records, invalid, operation, 100_000, at);
    const mapper = new WindowMapper(window, operation, 100_000, at);
    const streamed = [
      ...records.map((r) => mapper.record(r.record, r.wall)),
      ...invalid.map((bad) => mapper.invalid(bad.raw, bad.reason)),
    ].filter((m) => m !== undefined);
    const of = (kind: string) => streamed.filter((m) => m.kind === kind).map((m) => m.candidate);
    expect(of('event')).toEqual(whole.events);
    expect(of('dead-letter')).toEqual(whole.deadLetters);
    expect([mapper.outOfWindow, mapper.oversize, mapper.mixed]).toEqual([1, 1, false]);
  });

  it('leaves a record unmapped and says so when its identical records differ outside the six fields', () => {
    const plain = email('10:05:00', 1);
    const mapper = new WindowMapper(window, operation, 1 << 20, at);
    expect(mapper.record(plain.record, plain.wall)?.kind).toBe('event');
    expect(mapper.record({ ...plain.record, agent: 'z' }, plain.wall)).toBeUndefined();
    expect(mapper.mixed).toBe(true);
  });
});
