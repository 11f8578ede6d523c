import { parseWallTime, wallTimeOf } from '@app/contracts';
import { CorruptCheckpointError } from '../ports/checkpoint-store.port.js';
import {
  decodeCheckpoint,
  decodeOwner,
  encodeCheckpoint,
  encodeLease,
} from './checkpoint-codec.js';
import type { Progress } from '../ports/checkpoint-store.port.js';

const t = (s: string): number => parseWallTime(`2026-03-01 ${s}`)!;
const at = new Date('2026-03-01T17:00:00Z');

function latestOf(
  messages: Array<{ key: string; value: string | null }>,
  base = new Map<string, string | null>(),
) {
  const latest = new Map(base);
  for (const m of messages) latest.set(m.key, m.value);
  return latest;
}

function progressWith(keys: number): Progress {
  const seen = new Map<string, number>();
  for (let i = 0; i < keys; i++)
    seen.set(`wv-0010-${i.toString(16).padStart(40, '0')}`, t('11:00:00') + (i % 600));
  return {
    cursor: t('12:00:00'),
    settledBefore: t('11:00:00'),
    seen,
    budget: { day: '2026-03-01', used: 42 },
  };
}

describe('checkpoint codec', () => {
  it('round-trips positions, budget, the sweep, owner and seen keys', () => {
    const progress = progressWith(3);
    const owner = { id: 'pod-a', heartbeatAt: at.toISOString() };
    const start = wallTimeOf(at, 'UTC') - 600;
    const sweep = {
      start,
      position: start + 300,
      end: start + 600,
      records: 12,
      density: 0.04,
      retry: { window: { from: start + 300, to: start + 450 }, splits: 1 },
    };
    const { messages, stored } = encodeCheckpoint('0010', { progress, sweep, owner }, 7, 0, at);
    expect(messages.at(-1)!.key).toBe('0010');
    // The sweep is stored under its older name, so checkpoints written before the rename read.
    expect(JSON.parse(messages.at(-1)!.value!)).toHaveProperty('pass.records', 12);
    const decoded = decodeCheckpoint('0010', latestOf(messages))!;
    expect(decoded.progress).toEqual(progress);
    expect(decoded.sweep).toEqual(sweep);
    expect(decoded.generation).toBe(7);
    expect(decoded.owner).toEqual(owner);
    expect(decoded).toEqual(stored);
  });

  it('splits many keys into chunks below the size limit and deletes chunks no longer used', () => {
    const big = encodeCheckpoint('0010', { progress: progressWith(20_000) }, 1, 0, at, 64 * 1024);
    const chunks = big.messages.filter((m) => m.key.startsWith('0010/seen/'));
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.value!.length).toBeLessThan(64 * 1024 + 200);
    const first = latestOf(big.messages);
    expect(decodeCheckpoint('0010', first)!.progress.seen.size).toBe(20_000);

    const small = encodeCheckpoint(
      '0010',
      { progress: progressWith(2) },
      2,
      big.stored.chunks,
      at,
      64 * 1024,
    );
    const tombstones = small.messages.filter((m) => m.value === null).map((m) => m.key);
    expect(tombstones).toHaveLength(big.stored.chunks - 1);
    expect(decodeCheckpoint('0010', latestOf(small.messages, first))!.progress.seen.size).toBe(2);
  });

  it('cuts a second with more keys than a chunk holds into several chunks, each under the limit', () => {
    const second = 1_772_300_000;
    const seen = new Map(
      Array.from({ length: 30_000 }, (_, i) => [`${String(i).padStart(40, 'k')}`, second] as const),
    );
    const progress = { cursor: second + 1, settledBefore: second - 10, seen };
    const { messages, stored } = encodeCheckpoint('0010', { progress }, 1, 0, at, 64 * 1024);
    const chunks = messages.filter((m) => m.key.startsWith('0010/seen/'));
    expect(stored.chunks).toBeGreaterThan(15);
    for (const c of chunks) expect(c.value!.length).toBeLessThan(64 * 1024 + 200);
    expect(decodeCheckpoint('0010', latestOf(messages))!.progress.seen).toEqual(seen);
  });

  it('has no checkpoint for an operation never polled, and ignores other operations', () => {
    const other = encodeCheckpoint('0020', { progress: progressWith(1) }, 1, 0, at).messages;
    expect(decodeCheckpoint('0010', latestOf(other))).toBeNull();
  });

  it('refuses a head whose chunks belong to another generation', () => {
    const first = encodeCheckpoint('0010', { progress: progressWith(5) }, 1, 0, at).messages;
    const second = encodeCheckpoint('0010', { progress: progressWith(5) }, 2, 1, at).messages;
    const mixed = latestOf([...first.slice(0, -1), second.at(-1)!]);
    expect(() => decodeCheckpoint('0010', mixed)).toThrow(CorruptCheckpointError);
  });

  it('refuses garbage', () => {
    expect(() => decodeCheckpoint('0010', new Map([['0010', '{nope']]))).toThrow(/not JSON/);
    const head = JSON.stringify({
      v: 1,
      server: '0010',
      cursor: '2026-02-30 00:00:00',
      settledBefore: '2026-02-01 00:00:00',
      generation: 1,
      chunks: 0,
      writtenAt: '',
    });
    expect(() => decodeCheckpoint('0010', new Map([['0010', head]]))).toThrow(/cursor/);
  });

  it('reads the owner from the latest lease message, or from the head before leases existed', () => {
    const owner = { id: 'pod-a', heartbeatAt: at.toISOString() };
    const { messages } = encodeCheckpoint('0010', { progress: progressWith(2), owner }, 7, 0, at);
    const latest = latestOf(messages);
    expect(decodeOwner('0010', latest)).toEqual(owner);
    // Renewed between checkpoints: the lease message wins over the head's owner.
    const renewed = { id: 'pod-a', heartbeatAt: '2026-03-01T17:00:20.000Z' };
    const lease = encodeLease('0010', renewed);
    latest.set(lease.key, lease.value);
    expect(decodeOwner('0010', latest)).toEqual(renewed);
    expect(decodeCheckpoint('0010', latest)?.owner).toEqual(renewed);
    // A checkpoint written before lease messages: the head says who owns.
    latest.delete(lease.key);
    expect(decodeOwner('0010', latest)).toEqual(owner);
    latest.set(lease.key, 'not json');
    expect(decodeOwner('0010', latest)).toBeUndefined();
  });
});
