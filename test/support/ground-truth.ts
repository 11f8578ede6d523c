import {
  DeadLetterKeyer,
  idempotencyKey,
  validateCdr9Record,
  withOccurrences,
  type Cdr9Record,
} from '@app/contracts';
import type { TruthEntry } from './simulator.js';

/**
 * What the topics must hold for a simulator's ground truth, computed independently of the
 * poller: the idempotency key of every valid record (identical records numbered 1..n), and the
 * dead-letter key of every invalid one (identical bad records numbered 1..n as well: the truth
 * is in date order, and identical records share their second).
 */
export function expectedKeys(
  server: string,
  truth: readonly TruthEntry[],
): { events: string[]; deadLetters: Set<string> } {
  const valid: Cdr9Record[] = [];
  const deadLetters = new Set<string>();
  const badKeyer = new DeadLetterKeyer(server);
  for (const entry of truth) {
    const validation = validateCdr9Record(entry.record);
    if (validation.ok) valid.push(validation.record);
    else deadLetters.add(badKeyer.next(entry.record).key);
  }
  const events = withOccurrences(valid).map(({ record, occurrence }) =>
    idempotencyKey(server, record, occurrence),
  );
  return { events, deadLetters };
}

export interface StreamComparison {
  expected: number;
  found: number;
  duplicates: number;
  lost: number;
  unexpected: number;
}

/** Compares the keys found on a topic with the keys expected: the figures RELIABILITY.md reports. */
export function compareStream(
  expected: readonly string[],
  found: readonly string[],
): StreamComparison {
  const want = new Set(expected);
  const seen = new Map<string, number>();
  for (const key of found) seen.set(key, (seen.get(key) ?? 0) + 1);
  let duplicates = 0;
  for (const count of seen.values()) duplicates += count - 1;
  let lost = 0;
  for (const key of want) if (!seen.has(key)) lost++;
  let unexpected = 0;
  for (const key of seen.keys()) if (!want.has(key)) unexpected++;
  return { expected: want.size, found: found.length, duplicates, lost, unexpected };
}

/** The events topic holds every expected key exactly once, and nothing else. */
export function expectExactlyOnce(
  expected: readonly string[],
  found: readonly string[],
  count?: number,
): void {
  const unique = new Set(expected).size;
  if (count !== undefined) expect(unique).toBe(count);
  expect(compareStream(expected, found)).toEqual({
    expected: unique,
    found: unique,
    duplicates: 0,
    lost: 0,
    unexpected: 0,
  });
}
