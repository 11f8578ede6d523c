import { format } from 'prettier';
import { canonicalJson } from './canonical-json.js';
import { prettyJson } from './pretty-json.js';
import { renderContractFiles } from './machine-readable.js';

// Prettier is the judge here: the generated files must be what `prettier --check` accepts, or
// the lint step fails on files nobody edits by hand.
async function prettier(text: string): Promise<string> {
  return format(text, { parser: 'json', printWidth: 100 });
}

describe('prettyJson', () => {
  it.each([
    ['scalars', { a: 1, b: 'x', c: true, d: null }],
    ['empty containers', { a: {}, b: [], c: [{}] }],
    ['a short array of scalars', { required: ['channel', 'date', 'from', 'to'] }],
    [
      'an array of scalars too long for one line',
      { enum: Array.from({ length: 12 }, (_, index) => `value-number-${index}`) },
    ],
    ['an array exactly at the width', { k: ['x'.repeat(87)] }],
    ['an array one past the width', { k: ['x'.repeat(88)] }],
    ['the comma counted against the width', { k: ['x'.repeat(86)], z: 1 }],
    ['arrays of objects', { anyOf: [{ type: 'string' }, { type: 'null' }] }],
    [
      'nested arrays',
      {
        a: [[1, 2], [3]],
        b: [
          [1, 2],
          [3, 4],
        ],
        c: [[], [[]]],
      },
    ],
    ['non-ASCII and escapes', { ключ: 'Ñandú ✅ "q" \\ \n' }],
  ])('lays out %s as Prettier does', async (_name, value) => {
    const text = prettyJson(value);
    expect(text).toBe(await prettier(text));
    expect(JSON.parse(text)).toEqual(value);
  });

  it.each(Object.entries(renderContractFiles()))(
    'lays out %s as Prettier does',
    async (_, text) => {
      expect(text).toBe(await prettier(text));
    },
  );
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives equal JSON values the same text', () => {
    expect(canonicalJson({ x: 1, y: [1, 'a'] })).toBe(canonicalJson({ y: [1, 'a'], x: 1 }));
  });
});
