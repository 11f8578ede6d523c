import { parseWallTime } from '@app/contracts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import { resetMessages } from './checkpoint-reset.js';

const at = parseWallTime('2026-03-01 00:00:00')!;
const now = new Date('2026-03-10T12:00:00Z');

function latestOf(messages: Array<{ key: string; value: string | null }>) {
  const latest = new Map<string, string | null>();
  for (const m of messages) latest.set(m.key, m.value);
  return latest;
}

describe('resetMessages', () => {
  it('replaces an unreadable checkpoint with a fresh one, its old chunks deleted', () => {
    const latest = new Map<string, string | null>([
      ['0010', '{"v":9,"generation":41,"chunks":2}'],
      ['0010/seen/0', '{}'],
      ['0010/seen/1', '{}'],
      ['0011/seen/5', '{}'],
    ]);
    expect(() => decodeCheckpoint('0010', latest)).toThrow(/newer release/);
    const messages = resetMessages('0010', latest, at, now);
    expect(messages.filter((m) => m.value === null).map((m) => m.key)).toEqual([
      '0010/seen/0',
      '0010/seen/1',
    ]);
    for (const m of messages) latest.set(m.key, m.value);
    const fresh = decodeCheckpoint('0010', latest)!;
    expect(fresh.progress).toMatchObject({ cursor: at, settledBefore: at });
    expect(fresh.progress.seen.size).toBe(0);
    expect(fresh.generation).toBe(42);
  });

  it('resets a readable checkpoint too', () => {
    const progress = { cursor: at + 100, settledBefore: at + 50, seen: new Map([['k', at + 60]]) };
    const latest = latestOf(encodeCheckpoint('0010', { progress }, 3, 0, now).messages);
    for (const m of resetMessages('0010', latest, at, now)) latest.set(m.key, m.value);
    expect(decodeCheckpoint('0010', latest)!.progress).toMatchObject({
      cursor: at,
      settledBefore: at,
    });
  });
});
