import { validateCdr9Record } from './cdr9-record.js';
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
});
