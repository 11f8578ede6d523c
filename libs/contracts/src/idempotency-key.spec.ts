import { readFileSync } from 'node:fs';
import { CDR9_FIELDS, type Cdr9Record } from './cdr9-record.js';
import {
  idempotencyKey,
  idempotencyKeyMaterial,
  keyedWithOccurrences,
  RunningKeyer,
  withOccurrences,
} from './idempotency-key.js';

interface Vector {
  name: string;
  server: string;
  record: Cdr9Record;
  occurrence: number;
  material: string;
  key: string;
}

// Computed by a separate Python implementation of the README's rule, not by this code.
const { vectors } = JSON.parse(
  readFileSync(new URL('../test-vectors/idempotency-keys.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const plain: Cdr9Record = {
  channel: 'email-route-00012',
  date: '2026-03-01 08:15:00',
  from: 'soporte@example.com',
  to: 'ana@example.com',
  subject: 'Su caso #4411',
  body: '<p>Hola</p>',
};

describe('idempotencyKey', () => {
  it('has at least 8 vectors covering the tricky encodings', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(8);
    const names = vectors.map((vector) => vector.name).join('\n');
    for (const topic of ['unicode', 'HTML', 'control', 'empty', 'second', 'another operation']) {
      expect(names).toContain(topic);
    }
  });

  it.each(vectors.map((vector) => [vector.name, vector] as const))(
    'matches the vector: %s',
    (_name, vector) => {
      expect(idempotencyKeyMaterial(vector.server, vector.record, vector.occurrence)).toBe(
        vector.material,
      );
      expect(idempotencyKey(vector.server, vector.record, vector.occurrence)).toBe(vector.key);
    },
  );

  it('is 64 lowercase hex characters', () => {
    expect(idempotencyKey('0010', plain, 1)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(CDR9_FIELDS)('changes when %s changes', (field) => {
    const changed = { ...plain, [field]: `${plain[field]}x` };
    expect(idempotencyKey('0010', changed, 1)).not.toBe(idempotencyKey('0010', plain, 1));
  });

  it('changes with the server and the occurrence', () => {
    const key = idempotencyKey('0010', plain, 1);
    expect(idempotencyKey('0011', plain, 1)).not.toBe(key);
    expect(idempotencyKey('0010', plain, 2)).not.toBe(key);
  });

  it('does not let one field bleed into the next', () => {
    const a = { ...plain, from: 'a', to: 'b,c' };
    const b = { ...plain, from: 'a,b', to: 'c' };
    expect(idempotencyKey('0010', a, 1)).not.toBe(idempotencyKey('0010', b, 1));
  });

  it('ignores fields outside the six', () => {
    const extended: Cdr9Record = { ...plain, agent: 'x' };
    expect(idempotencyKey('0010', extended, 1)).toBe(idempotencyKey('0010', plain, 1));
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects occurrence %p', (occurrence) => {
    expect(() => idempotencyKey('0010', plain, occurrence)).toThrow(RangeError);
  });
});

describe('withOccurrences', () => {
  const other = { ...plain, to: 'luis@example.com' };

  function keysOf(records: Cdr9Record[]): string[] {
    return withOccurrences(records)
      .map(({ record, occurrence }) => idempotencyKey('0010', record, occurrence))
      .sort();
  }

  it('numbers identical records 1..n, keeping the input order', () => {
    const numbered = withOccurrences([plain, other, { ...plain }, { ...plain }]);
    expect(numbered.map((entry) => entry.occurrence)).toEqual([1, 1, 2, 3]);
    expect(numbered[1].record).toBe(other);
  });

  it('gives N identical records N distinct keys', () => {
    const keys = keysOf(Array.from({ length: 5 }, () => ({ ...plain })));
    expect(new Set(keys).size).toBe(5);
  });

  it('gives the same keys whatever the order', () => {
    const records = [plain, other, { ...plain }, { ...other }, { ...plain, subject: 'z' }];
    const expected = keysOf(records);
    for (const permutation of [
      [...records].reverse(),
      [records[2], records[4], records[0], records[3], records[1]],
    ]) {
      expect(keysOf(permutation)).toEqual(expected);
    }
  });

  it('gives a record the same key in any window that holds its second', () => {
    const nextSecond = { ...other, date: '2026-03-01 08:15:01' };
    const wide = withOccurrences([plain, { ...plain }, nextSecond]);
    const narrow = withOccurrences([{ ...plain }, plain]);
    expect(narrow.map((entry) => entry.occurrence).sort()).toEqual(
      wide.filter((entry) => entry.record.date === plain.date).map((entry) => entry.occurrence),
    );
  });

  it('numbers records that differ only outside the key by their content, not their order', () => {
    const a = { ...plain, agent: 'A' };
    const b = { ...plain, agent: 'B' };
    const forward = withOccurrences([a, b]);
    const backward = withOccurrences([b, a]);
    expect(forward.find((entry) => entry.record === a)?.occurrence).toBe(1);
    expect(backward.find((entry) => entry.record === a)?.occurrence).toBe(1);
    expect(backward.find((entry) => entry.record === b)?.occurrence).toBe(2);
  });

  it('handles an empty list', () => {
    expect(withOccurrences([])).toEqual([]);
  });
});

/** Two emails of one second: `mail` and `mailToOther` differ in `to` alone. */
const mail = {
  channel: 'c',
  date: '2026-03-01 10:00:00',
  from: 'f',
  to: 't',
  subject: 'ü "q"',
  body: 'b\n',
};
const mailToOther = { ...mail, to: 'other' };

describe('keyedWithOccurrences', () => {
  it('numbers and keys exactly as withOccurrences and idempotencyKey do', () => {
    const records = [mail, mailToOther, { ...mail }, { ...mail, extra: 'z' }, mailToOther];
    const keyed = keyedWithOccurrences('0010', records);
    const numbered = withOccurrences(records);
    expect(keyed.map((k) => k.occurrence)).toEqual(numbered.map((n) => n.occurrence));
    expect(keyed.map((k) => k.key)).toEqual(
      numbered.map((n) => idempotencyKey('0010', n.record, n.occurrence)),
    );
  });
});

describe('RunningKeyer', () => {
  it('numbers and keys one record at a time as keyedWithOccurrences does the whole list', () => {
    const d = { ...mail, subject: 'd', extra: 'z' };
    const records = [mail, mailToOther, { ...mail }, mailToOther, { ...mail }, d, { ...d }];
    const c = records.slice(5);
    const keyer = new RunningKeyer('0010');
    const running = records.map((r) => keyer.next(r)!);
    const whole = keyedWithOccurrences('0010', records.slice(0, 5));
    expect(running.slice(0, 5).map((k) => [k.occurrence, k.key])).toEqual(
      whole.map((k) => [k.occurrence, k.key]),
    );
    // Identical in full, extra field included: still interchangeable, numbered as they come.
    expect(running.slice(5).map((k) => k.occurrence)).toEqual([1, 2]);
    expect(running[5].key).toBe(idempotencyKey('0010', c[0], 1));
  });

  it('gives up on a record whose group mixes records that differ outside the six fields', () => {
    const keyer = new RunningKeyer('0010');
    expect(keyer.next(mail)?.occurrence).toBe(1);
    expect(keyer.next({ ...mail, extra: 'z' })).toBeUndefined();
    expect(keyer.next(mailToOther)?.occurrence).toBe(1);
    expect(keyer.next({ ...mail })?.occurrence).toBe(2);
  });
});
