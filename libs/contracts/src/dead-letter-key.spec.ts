import { readFileSync } from 'node:fs';
import { canonicalJson } from './canonical-json.js';
import { DeadLetterKeyer, deadLetterKey, DEAD_LETTER_KEY_NAMESPACE } from './dead-letter-key.js';

interface Vector {
  name: string;
  server: string;
  raw: unknown;
  occurrence: number;
  material: string;
  key: string;
}

// Computed by a separate Python implementation of the README's rule, not by this code.
const { vectors } = JSON.parse(
  readFileSync(new URL('../test-vectors/dead-letter-keys.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

describe('deadLetterKey', () => {
  it('has vectors for identical records, key order, other operations and non-objects', () => {
    const names = vectors.map((vector) => vector.name).join('\n');
    for (const topic of ['second identical', 'third identical', 'another order', 'not an object'])
      expect(names).toContain(topic);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    const material: unknown[] = [DEAD_LETTER_KEY_NAMESPACE, vector.server, vector.raw];
    if (vector.occurrence > 1) material.push(vector.occurrence);
    expect(canonicalJson(material)).toBe(vector.material);
    expect(deadLetterKey(vector.server, vector.raw, vector.occurrence)).toBe(vector.key);
  });

  it('gives each of identical bad records a key of its own, the first the key without occurrence', () => {
    const raw = vectors[0].raw;
    const keys = [1, 2, 3].map((n) => deadLetterKey('0010', raw, n));
    expect(new Set(keys).size).toBe(3);
    expect(deadLetterKey('0010', raw)).toBe(keys[0]);
  });

  it('numbers identical bad records as they come, whatever their key order', () => {
    const raw = { date: '2026-02-30 10:00:00', to: 42 };
    const keyer = new DeadLetterKeyer('0010');
    const keyed = [raw, { to: 42, date: '2026-02-30 10:00:00' }, { ...raw, to: 43 }, raw].map((r) =>
      keyer.next(r),
    );
    expect(keyed.map((k) => k.occurrence)).toEqual([1, 2, 1, 3]);
    expect(keyed.map((k) => k.key)).toEqual([
      deadLetterKey('0010', raw),
      deadLetterKey('0010', raw, 2),
      deadLetterKey('0010', { ...raw, to: 43 }),
      deadLetterKey('0010', raw, 3),
    ]);
  });

  it('refuses an occurrence that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => deadLetterKey('0010', {}, bad)).toThrow(RangeError);
  });
});
