import { formatWallTime, validateCdr9Record, type WallSeconds } from '@app/contracts';

/** One record of the ground truth. */
export interface StoredRecord {
  /** Exactly what the API sends for it; invalid on purpose for some records. */
  readonly record: Readonly<Record<string, unknown>>;
  /** The wall second the API files it under: its `date`, or the intended one when `date` is broken. */
  readonly wall: WallSeconds;
  /** The real instant (ms since the epoch) from which the API returns it. */
  readonly visibleAt: number;
  /** Passes the contracts' validation (else the poller should dead-letter it). */
  readonly valid: boolean;
}

/** A record as the truth endpoint shows it. */
export interface TruthEntry {
  record: Readonly<Record<string, unknown>>;
  /** `YYYY-MM-DD HH:MM:SS`: the wall time the record is filed under. */
  indexDate: string;
  /** RFC 3339 UTC: when the API starts returning it. */
  visibleAt: string;
  valid: boolean;
}

/**
 * How the API reads `date_ini` and `date_end` (the vendor does not say): both inclusive, or one
 * or both exclusive. The simulator can play each reading.
 */
export type BoundsMode = 'inclusive' | 'end-exclusive' | 'start-exclusive' | 'exclusive';
export const BOUNDS_MODES = ['inclusive', 'end-exclusive', 'start-exclusive', 'exclusive'] as const;

/**
 * The order of a response's records, and so which records a cut keeps (the first `limit` in
 * that order): the oldest, the newest, or any. The vendor documents neither.
 */
export type RecordOrder = 'oldest' | 'newest' | 'shuffled';
export const RECORD_ORDERS = ['oldest', 'newest', 'shuffled'] as const;

export interface WindowQuery {
  /** The seconds the API's reading of the bounds covers (see `coveredSeconds`). */
  from: WallSeconds;
  to: WallSeconds;
  /** Only records visible at this instant (ms). */
  nowMs: number;
  /** At most this many: the first ones in `order` (`ORDER BY date [DESC|RAND()] LIMIT n`). */
  limit: number;
  order: RecordOrder;
  /** Draws the shuffle of `order: 'shuffled'` (uniform in [0, 1)). */
  random?: () => number;
}

/** The seconds a query of `date_ini..date_end` covers under a reading of the bounds. */
export function coveredSeconds(
  window: { from: WallSeconds; to: WallSeconds },
  bounds: BoundsMode,
): { from: WallSeconds; to: WallSeconds } {
  const startOpen = bounds === 'start-exclusive' || bounds === 'exclusive';
  const endOpen = bounds === 'end-exclusive' || bounds === 'exclusive';
  return { from: window.from + (startOpen ? 1 : 0), to: window.to - (endOpen ? 1 : 0) };
}

export function storedRecord(
  record: Readonly<Record<string, unknown>>,
  wall: WallSeconds,
  visibleAt: number,
): StoredRecord {
  return { record, wall, visibleAt, valid: validateCdr9Record(record).ok };
}

export function truthEntry(stored: StoredRecord): TruthEntry {
  return {
    record: stored.record,
    indexDate: formatWallTime(stored.wall),
    visibleAt: new Date(stored.visibleAt).toISOString(),
    valid: stored.valid,
  };
}

/**
 * The simulator's table of cdr_9 records, kept in `wall` order (an index on `date`); records of
 * the same second keep the order they were added in.
 */
export class RecordStore {
  #records: StoredRecord[] = [];
  #sorted = true;

  get size(): number {
    return this.#records.length;
  }

  append(records: Iterable<StoredRecord>): number {
    let added = 0;
    for (const record of records) {
      const last = this.#records[this.#records.length - 1];
      if (last && record.wall < last.wall) this.#sorted = false;
      this.#records.push(record);
      added += 1;
    }
    return added;
  }

  clear(): void {
    this.#records = [];
    this.#sorted = true;
  }

  /** Every record, in `wall` order. */
  all(): readonly StoredRecord[] {
    return this.#ordered();
  }

  /**
   * The visible records with `from <= wall <= to`, in `order`, cut to the first `limit`:
   * oldest first (same-second records in insertion order), newest first, or a uniform random
   * choice of `limit` in random order.
   */
  query(query: WindowQuery): StoredRecord[] {
    const records = this.#ordered();
    const found: StoredRecord[] = [];
    const bounded = query.order === 'oldest';
    for (let i = lowerBound(records, query.from); i < records.length; i++) {
      const record = records[i];
      if (record.wall > query.to || (bounded && found.length >= query.limit)) break;
      if (record.visibleAt <= query.nowMs) found.push(record);
    }
    if (query.order === 'newest') return found.reverse().slice(0, query.limit);
    if (query.order === 'shuffled') return sample(found, query.limit, query.random ?? Math.random);
    return found;
  }

  #ordered(): StoredRecord[] {
    if (!this.#sorted) {
      // Array.prototype.sort is stable: same-second records keep their insertion order.
      this.#records.sort((a, b) => a.wall - b.wall);
      this.#sorted = true;
    }
    return this.#records;
  }
}

/** `limit` of `items` chosen uniformly, in random order (a partial Fisher-Yates, in place). */
function sample<T>(items: T[], limit: number, random: () => number): T[] {
  const n = Math.min(limit, items.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  items.length = n;
  return items;
}

/** Index of the first record with `wall >= from`. */
function lowerBound(records: readonly StoredRecord[], from: WallSeconds): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (records[middle].wall < from) low = middle + 1;
    else high = middle;
  }
  return low;
}
