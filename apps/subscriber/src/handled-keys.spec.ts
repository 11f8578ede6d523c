import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandledKeys } from './handled-keys.js';

describe('HandledKeys', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'handled-keys-')), 'keys.txt');

  it('remembers keys across a restart', () => {
    const path = file();
    const first = new HandledKeys(path);
    first.add('a');
    first.add('b');
    const second = new HandledKeys(path);
    expect([second.has('a'), second.has('b'), second.has('c'), second.size]).toEqual([
      true,
      true,
      false,
      2,
    ]);
  });

  it('drops a line a crash cut short, and starts the next key on a line of its own', () => {
    const path = file();
    new HandledKeys(path).add('a');
    appendFileSync(path, 'b-cut-sh');
    const store = new HandledKeys(path);
    expect([store.has('a'), store.has('b-cut-sh')]).toEqual([true, false]);
    store.add('c');
    expect(new HandledKeys(path).has('c')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('a\nb-cut-sh\nc\n');
  });
});
