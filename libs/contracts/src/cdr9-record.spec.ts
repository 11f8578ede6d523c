import { Cdr9RecordSchema, validateCdr9Record } from './cdr9-record.js';
import { parseWallTime } from './local-time.js';

const good = {
  channel: 'email-route-00012',
  date: '2026-03-01 08:15:00',
  from: 'soporte@example.com',
  to: 'ana@example.com',
  subject: 'Su caso #4411',
  body: '<p>Hola</p>',
};

describe('validateCdr9Record', () => {
  it('accepts a record and gives its wall time', () => {
    const result = validateCdr9Record(good);
    expect(result).toEqual({ ok: true, record: good, wall: parseWallTime(good.date) });
  });

  it('names every bad field in the reason and keeps the raw value', () => {
    const raw = { ...good, date: '2026-02-30 10:00:00', to: 42 };
    const result = validateCdr9Record(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.raw).toBe(raw);
    expect(result.reason).toMatch(/date: must be a real local time/);
    expect(result.reason).toMatch(/to: /);
  });

  it('keeps fields Wolkvox may add later', () => {
    expect(validateCdr9Record({ ...good, agent: 'x' })).toMatchObject({
      ok: true,
      record: { ...good, agent: 'x' },
    });
  });

  it('rejects missing fields and non-objects', () => {
    const { body: _body, ...missing } = good;
    expect(validateCdr9Record(missing)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/body/),
    });
    expect(validateCdr9Record('text')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^record: /),
    });
    expect(validateCdr9Record(null)).toMatchObject({ ok: false });
  });

  it('agrees with the zod schema on every shape, the quick path included', () => {
    const shapes: unknown[] = [
      good,
      { ...good, agent: 'x', id_call: 7 },
      { ...good, date: '2026-02-30 10:00:00' },
      { ...good, date: '01/03/2026 08:15' },
      { ...good, date: 20260301081500 },
      { ...good, subject: null },
      { ...good, to: 42 },
      { ...good, body: undefined },
      Object.assign(Object.create(null) as object, good),
      [good],
      Object.values(good),
      'text',
      7,
      null,
      undefined,
    ];
    for (const raw of shapes) {
      const zod = Cdr9RecordSchema.safeParse(raw);
      const result = validateCdr9Record(raw);
      expect([raw, result.ok]).toEqual([raw, zod.success]);
      if (result.ok && zod.success) expect(result.record).toEqual(zod.data);
    }
  });
});
