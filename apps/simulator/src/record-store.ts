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

export interface WindowQuery {
  from: WallSeconds;
  to: WallSeconds;
  /** Only records visible at this instant (ms). */
  nowMs: number;
  /** At most this many, the earliest `wall` first, like `ORDER BY date LIMIT n`. */
  limit: number;
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

  /** The visible records with `from <= wall <= to`, the first `limit` of them by `wall`. */
  query(query: WindowQuery): StoredRecord[] {
    const records = this.#ordered();
    const found: StoredRecord[] = [];
    for (let i = lowerBound(records, query.from); i < records.length; i++) {
      const record = records[i];
      if (record.wall > query.to || found.length >= query.limit) break;
      if (record.visibleAt <= query.nowMs) found.push(record);
    }
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
