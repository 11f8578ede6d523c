import type { WallSeconds } from '@app/contracts';
import { initialProgress } from '../cycle/progress.js';
import { encodeCheckpoint, headKey, type ProgressMessage } from './checkpoint-codec.js';

/**
 * The messages that replace an operation's checkpoint, whatever it holds now (an unreadable
 * one included), with a fresh one at `at`: cursor and settled position there, no seen keys, no
 * lease. The seen-key chunks the old checkpoint left get tombstones. Pure.
 *
 * Reading again from `at` republishes nothing a subscriber already has only if the keys are
 * still on the events topic to compare with; the poller does not compare, so a reset to an
 * instant before the last published email publishes those emails again (same keys: a
 * subscriber that deduplicates by key sees no change). An operator picks `at` knowing that.
 */
export function resetMessages(
  server: string,
  latest: ReadonlyMap<string, string | null>,
  at: WallSeconds,
  now: Date,
): ProgressMessage[] {
  let chunks = 0;
  for (const [key, value] of latest) {
    const match = key.startsWith(`${server}/seen/`) ? /\/seen\/(\d+)$/.exec(key) : null;
    if (match && value !== null) chunks = Math.max(chunks, Number(match[1]) + 1);
  }
  const generation = previousGeneration(latest.get(headKey(server))) + 1;
  // The new checkpoint has no chunk, so every old one gets a tombstone.
  return encodeCheckpoint(server, { progress: initialProgress(at) }, generation, chunks, now)
    .messages;
}

function previousGeneration(headText: string | null | undefined): number {
  try {
    const head = JSON.parse(headText ?? 'null') as { generation?: unknown } | null;
    return typeof head?.generation === 'number' && Number.isInteger(head.generation)
      ? head.generation
      : 0;
  } catch {
    return 0;
  }
}
