import { createHash, hash, type Hash } from 'node:crypto';
import { CDR9_FIELDS, type Cdr9Record } from './cdr9-record.js';
import { canonicalJson } from './canonical-json.js';

/**
 * First element of the hashed array. It names what is hashed and the formula's version, so a
 * future formula can never produce a key equal to one of today's.
 */
export const IDEMPOTENCY_KEY_NAMESPACE = 'wolkvox.cdr_9.v1';

/** The six fields the key is made of; fields Wolkvox may add later are not part of it. */
export type Cdr9KeyFields = Pick<Cdr9Record, (typeof CDR9_FIELDS)[number]>;

/**
 * The exact text that is hashed: `JSON.stringify` of
 * `["wolkvox.cdr_9.v1", server, channel, date, from, to, subject, body, occurrence]`.
 * Exported so that implementers in other languages can compare their canonical text, not only
 * the final hash (the README gives the escaping rule).
 */
export function idempotencyKeyMaterial(
  server: string,
  record: Cdr9KeyFields,
  occurrence: number,
): string {
  if (!Number.isSafeInteger(occurrence) || occurrence < 1) {
    throw new RangeError(`occurrence must be a positive integer, got ${occurrence}`);
  }
  return JSON.stringify([
    IDEMPOTENCY_KEY_NAMESPACE,
    server,
    ...CDR9_FIELDS.map((field) => record[field]),
    occurrence,
  ]);
}

/**
 * The idempotency key of one email: lowercase hex SHA-256 (64 characters) of the UTF-8 bytes of
 * `idempotencyKeyMaterial`. It is the Kafka key and the CloudEvent `id`. Full length, no prefix:
 * the key is an opaque id that subscribers store and compare, and 256 bits leave no collision
 * worth reasoning about. `JSON.stringify` escapes lone surrogates, so the text is well-formed
 * Unicode and its UTF-8 encoding is unambiguous.
 */
export function idempotencyKey(server: string, record: Cdr9KeyFields, occurrence: number): string {
  // The one-shot hash: half the CPU of createHash().update().digest() on a record's material.
  return hash('sha256', idempotencyKeyMaterial(server, record, occurrence), 'hex');
}

export interface NumberedRecord<R> {
  readonly record: R;
  /** 1..n among the records of the list that are identical in all six fields. */
  readonly occurrence: number;
}

/**
 * Numbers records that are identical in all six fields 1..n, so each gets its own key. The
 * result keeps the input order. Identical records share one `date` second, and windows never cut
 * a second, so any window that holds one of them holds all: the numbering does not depend on the
 * window, nor on the order the API listed them in. When identical-in-six records differ in fields
 * outside the key, they are numbered in the order of their full canonical JSON, so which record
 * gets which number does not depend on the input order either.
 */
export function withOccurrences<R extends Cdr9KeyFields>(
  records: readonly R[],
): NumberedRecord<R>[] {
  // Hashed: the six fields (bodies of kilobytes) would make 60,000 huge Map keys.
  const identities = records.map((record) =>
    createHash('sha256')
      .update(JSON.stringify(CDR9_FIELDS.map((field) => record[field])), 'utf8')
      .digest('base64'),
  );
  const occurrences = numberIdentical(identities, records);
  return records.map((record, index) => ({ record, occurrence: occurrences[index] }));
}

/**
 * 1..n among records with the same identity; identical-in-six records that differ in fields
 * outside the key are numbered in the order of their full canonical JSON, so the numbering never
 * depends on the input order.
 */
function numberIdentical(identities: readonly string[], records: readonly object[]): number[] {
  const groups = new Map<string, number[]>();
  identities.forEach((identity, index) => {
    const group = groups.get(identity);
    if (group) group.push(index);
    else groups.set(identity, [index]);
  });
  const occurrences = new Array<number>(records.length);
  for (const indices of groups.values()) {
    if (indices.length === 1) {
      occurrences[indices[0]] = 1;
      continue;
    }
    const ordered = indices
      .map((index) => ({ index, text: canonicalJson(records[index]) }))
      .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    ordered.forEach(({ index }, position) => (occurrences[index] = position + 1));
  }
  return occurrences;
}

export interface KeyedRecord<R> extends NumberedRecord<R> {
  /** `idempotencyKey(server, record, occurrence)`. */
  readonly key: string;
}

/**
 * `withOccurrences` and `idempotencyKey` in one pass, for a poller mapping 60,000 records: each
 * record is serialised and hashed once. The key material of occurrence n is the text of
 * `[ns, server, ...six fields` followed by `,n]`, so the hash state after the common prefix
 * serves both to group identical records and, copied, to finish each key.
 */
export function keyedWithOccurrences<R extends Cdr9KeyFields>(
  server: string,
  records: readonly R[],
): KeyedRecord<R>[] {
  const hashes = records.map((record) => keyPrefixHash(server, record));
  const occurrences = numberIdentical(
    hashes.map((hash) => hash.copy().digest('base64')),
    records,
  );
  return records.map((record, index) => ({
    record,
    occurrence: occurrences[index],
    key: hashes[index].update(`,${occurrences[index]}]`, 'utf8').digest('hex'),
  }));
}

/**
 * Numbers and keys records one at a time, as a response streams in, for a poller that publishes
 * each record before the next one is read. A running count per identity (the SHA-256 of the
 * six fields, held as a digest, not the text) gives the same numbers as `withOccurrences`
 * whenever the records identical in the six fields are identical in full, which is every
 * record the API sends today: such records are interchangeable, so which one arrives first
 * does not matter. When a group mixes records that differ outside the six fields (a column
 * Wolkvox might add), their numbers follow the canonical order of all of them, which is known
 * only at the end: `next` then answers `undefined` for that record, and the caller must number
 * the whole window with `keyedWithOccurrences` instead.
 */
export class RunningKeyer {
  /** Per identity (the key of its first occurrence): how many so far, what they are besides the six fields. */
  readonly #groups = new Map<string, { count: number; rest: string }>();

  constructor(private readonly server: string) {}

  next<R extends Cdr9KeyFields>(record: R): KeyedRecord<R> | undefined {
    // The key of occurrence 1 identifies the group: one hash per record, and no second one for
    // all but the rare repeats (a look-back re-read after a campaign keys every record again).
    const first = idempotencyKey(this.server, record, 1);
    const rest = restOf(record);
    const group = this.#groups.get(first);
    if (group && group.rest !== rest) return undefined;
    const occurrence = (group?.count ?? 0) + 1;
    if (group) group.count = occurrence;
    else this.#groups.set(first, { count: occurrence, rest });
    const key = occurrence === 1 ? first : idempotencyKey(this.server, record, occurrence);
    return { record, occurrence, key };
  }
}

/**
 * The hash state after the key material's common prefix, `[ns, server, ...six fields`: a copy of
 * it identifies the record's group, and `,n]` on top finishes the key of occurrence n.
 */
function keyPrefixHash(server: string, record: Cdr9KeyFields): Hash {
  const material = idempotencyKeyMaterial(server, record, 1);
  return createHash('sha256').update(material.slice(0, material.length - ',1]'.length), 'utf8');
}

/** '' for a record of the six fields alone; else a digest of its full canonical JSON. */
function restOf(record: object): string {
  if (Object.keys(record).length === CDR9_FIELDS.length) return '';
  return createHash('sha256').update(canonicalJson(record), 'utf8').digest('base64');
}
