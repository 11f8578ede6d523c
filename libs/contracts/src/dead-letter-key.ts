import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** First element of the hashed array of a dead-letter key: what is hashed, and its version. */
export const DEAD_LETTER_KEY_NAMESPACE = 'wolkvox.cdr_9.dead-letter.v1';

/**
 * Key of a dead letter: lowercase hex SHA-256 of the canonical JSON (keys sorted, no whitespace)
 * of `["wolkvox.cdr_9.dead-letter.v1", server, raw]` for the first of identical bad records, and
 * of `["wolkvox.cdr_9.dead-letter.v1", server, raw, occurrence]` for the second and later ones
 * (2..n among the records of one read identical to it in full). The same bad record re-read by a
 * later poll gets the same key, and two identical bad records (one email the API reported twice)
 * get a key each, as their events would. Occurrence 1 keeps the three-element form, so the keys
 * of dead letters published before occurrences were counted do not change.
 */
export function deadLetterKey(server: string, raw: unknown, occurrence = 1): string {
  if (!Number.isSafeInteger(occurrence) || occurrence < 1) {
    throw new RangeError(`occurrence must be a positive integer, got ${occurrence}`);
  }
  const material: unknown[] = [DEAD_LETTER_KEY_NAMESPACE, server, raw];
  if (occurrence > 1) material.push(occurrence);
  return hash('sha256', canonicalJson(material), 'hex');
}

/**
 * Keys bad records one at a time as a response streams in, numbering those identical in full
 * (equal canonical JSON) 1..n in the order they come. Identical bad records are interchangeable,
 * so the order does not matter; they share their `date` text, so a read that holds one holds
 * all of them, and every read numbers them alike.
 */
export class DeadLetterKeyer {
  /** Per first key (a digest of the record): how many so far. */
  readonly #counts = new Map<string, number>();

  constructor(private readonly server: string) {}

  next(raw: unknown): { key: string; occurrence: number } {
    const first = deadLetterKey(this.server, raw);
    const occurrence = (this.#counts.get(first) ?? 0) + 1;
    this.#counts.set(first, occurrence);
    return {
      occurrence,
      key: occurrence === 1 ? first : deadLetterKey(this.server, raw, occurrence),
    };
  }
}
