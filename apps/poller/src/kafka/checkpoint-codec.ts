import { formatWallTime, parseWallTime, type WallSeconds } from '@app/contracts';
import type { Owner } from '../lease/lease.js';
import {
  CorruptCheckpointError,
  type Checkpoint,
  type SweepState,
} from '../ports/checkpoint-store.port.js';

/**
 * How progress is written to the compacted progress topic, in the same transaction as the events
 * it covers (the way Kafka Connect keeps source offsets, plus what exactly-once needs here):
 *
 * - key `<server>`: the head: positions, budget, and how many seen-key chunks belong to it;
 * - keys `<server>/seen/<i>`: the keys published inside the look-back, split in chunks so that no
 *   message approaches the broker's 1 MB default limit however busy the look-back is;
 * - key `<server>/lease`: who holds the operation and when it last said so. Every checkpoint
 *   writes it with the head, and the owner renews it outside transactions while a cycle runs
 *   long (lease-beacon), so that a read longer than the lease does not let a standby take over.
 *
 * Every message carries the head's generation, so a reader can tell a complete checkpoint from
 * a mix of two; chunks a shorter checkpoint no longer uses are deleted with tombstones.
 * Times are written as wall-clock strings (`YYYY-MM-DD HH:MM:SS`) so an operator can read them.
 */
export const CHECKPOINT_VERSION = 1;
const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** A message of the progress topic. */
export interface ProgressMessage {
  key: string;
  /** null is a tombstone: compaction deletes the key. */
  value: string | null;
}

/**
 * A checkpoint as the progress topic holds it: what the poller handed over, and what only
 * storage needs (which messages belong together, and what the next one must delete).
 */
export interface StoredCheckpoint extends Checkpoint {
  generation: number;
  /** Number of seen-key chunks this checkpoint wrote, so the next one can delete extras. */
  chunks: number;
  writtenAt: string;
}

interface HeadValue {
  v: number;
  server: string;
  cursor: string;
  settledBefore: string;
  budget?: { day: string; used: number };
  /** The sweep in progress. Stored as `pass`, its name before the daily reconciliation pass. */
  pass?: SweepValue;
  owner?: Owner;
  generation: number;
  chunks: number;
  writtenAt: string;
}

/** The sweep in progress, wall times as text like the positions. */
interface SweepValue {
  start: string;
  position: string;
  end: string;
  records: number;
  density?: number;
  retry?: { from: string; to: string; splits: number; whole?: boolean };
}

interface ChunkValue {
  v: number;
  generation: number;
  /** [date, key, key, ...] per second. */
  seen: Array<[string, ...string[]]>;
}

export function headKey(server: string): string {
  return server;
}

export function chunkKey(server: string, index: number): string {
  return `${server}/seen/${index}`;
}

/** A seen-key chunk of any operation: what only a checkpoint's load needs. */
export function isChunkKey(key: string): boolean {
  return /\/seen\/\d+$/.test(key);
}

export function leaseKey(server: string): string {
  return `${server}/lease`;
}

/**
 * The seen keys as chunks of `[date, key, key, ...]` entries of at most about `chunkBytes` of
 * JSON each. A second with more keys than a chunk holds (a campaign sent in the same second) is
 * cut into several entries of the same date, in one chunk after another: a chunk past the
 * progress topic's `max.message.bytes` (the broker's default is 1 MB) would stop every commit.
 */
function chunked(bySecond: Map<WallSeconds, string[]>, chunkBytes: number): ChunkValue['seen'][] {
  const chunks: ChunkValue['seen'][] = [];
  let current: ChunkValue['seen'] = [];
  let size = 0;
  const close = () => {
    if (current.length) chunks.push(current);
    current = [];
    size = 0;
  };
  for (const wall of [...bySecond.keys()].sort((a, b) => a - b)) {
    const date = formatWallTime(wall);
    // `["date"]` and the comma before the entry.
    const emptySize = JSON.stringify([date]).length + 1;
    let entry: [string, ...string[]] | undefined;
    for (const key of bySecond.get(wall)!.sort()) {
      const keySize = JSON.stringify(key).length + 1;
      if (!entry || size + keySize > chunkBytes) {
        // A new entry of the same date; in the next chunk when this one cannot take it.
        if (size > 0 && size + emptySize + keySize > chunkBytes) close();
        entry = [date];
        current.push(entry);
        size += emptySize;
      }
      entry.push(key);
      size += keySize;
    }
  }
  close();
  return chunks;
}

/** The lease message alone, as the owner renews it between checkpoints. */
export function encodeLease(server: string, owner: Owner): ProgressMessage {
  return { key: leaseKey(server), value: JSON.stringify(owner) };
}

/**
 * The messages of `checkpoint` as generation `generation`, deleting the chunks beyond its own
 * that the previous generation wrote.
 */
export function encodeCheckpoint(
  server: string,
  checkpoint: Checkpoint,
  generation: number,
  previousChunks: number,
  writtenAt: Date,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): { messages: ProgressMessage[]; stored: StoredCheckpoint } {
  const { progress, sweep, owner } = checkpoint;
  const bySecond = new Map<WallSeconds, string[]>();
  for (const [key, wall] of progress.seen) {
    const keys = bySecond.get(wall);
    if (keys) keys.push(key);
    else bySecond.set(wall, [key]);
  }
  const chunks = chunked(bySecond, chunkBytes);

  const messages: ProgressMessage[] = chunks.map((seen, i) => ({
    key: chunkKey(server, i),
    value: JSON.stringify({ v: CHECKPOINT_VERSION, generation, seen } satisfies ChunkValue),
  }));
  for (let i = chunks.length; i < previousChunks; i++) {
    messages.push({ key: chunkKey(server, i), value: null });
  }
  const head: HeadValue = {
    v: CHECKPOINT_VERSION,
    server,
    cursor: formatWallTime(progress.cursor),
    settledBefore: formatWallTime(progress.settledBefore),
    ...(progress.budget ? { budget: progress.budget } : {}),
    ...(sweep ? { pass: encodeSweep(sweep) } : {}),
    ...(owner ? { owner } : {}),
    generation,
    chunks: chunks.length,
    writtenAt: writtenAt.toISOString(),
  };
  if (owner) messages.push(encodeLease(server, owner));
  // The head goes last: a reader that sees it has, in the same transaction, its chunks.
  messages.push({ key: headKey(server), value: JSON.stringify(head) });
  return {
    messages,
    stored: {
      progress,
      ...(sweep ? { sweep } : {}),
      ...(owner ? { owner } : {}),
      generation,
      chunks: chunks.length,
      writtenAt: head.writtenAt,
    },
  };
}

/**
 * Rebuilds the checkpoint of `server` from the latest value of each key in the progress topic
 * (as compaction would leave them). Null when the operation has no checkpoint yet. Throws
 * CorruptCheckpointError when what is there cannot be trusted: the poller must not guess.
 */
export function decodeCheckpoint(
  server: string,
  latest: ReadonlyMap<string, string | null>,
): StoredCheckpoint | null {
  const headText = latest.get(headKey(server));
  if (headText == null) return null;
  const head = parseJson<HeadValue>(headText, 'head');
  if (head.v !== CHECKPOINT_VERSION) {
    throw new CorruptCheckpointError(
      typeof head.v === 'number' && head.v > CHECKPOINT_VERSION
        ? `checkpoint version ${head.v} was written by a newer release of the poller (this one reads version ${CHECKPOINT_VERSION})`
        : `checkpoint version ${String(head.v)} is not ${CHECKPOINT_VERSION}`,
    );
  }
  const cursor = wall(head.cursor, 'cursor');
  const settledBefore = wall(head.settledBefore, 'settledBefore');
  if (settledBefore > cursor) throw new CorruptCheckpointError('settledBefore is after cursor');

  const seen = new Map<string, WallSeconds>();
  for (let i = 0; i < head.chunks; i++) {
    const text = latest.get(chunkKey(server, i));
    if (text == null)
      throw new CorruptCheckpointError(`seen-key chunk ${i} of ${head.chunks} is missing`);
    const chunk = parseJson<ChunkValue>(text, `chunk ${i}`);
    if (chunk.generation !== head.generation) {
      throw new CorruptCheckpointError(
        `seen-key chunk ${i} is of generation ${chunk.generation}, the head of ${head.generation}`,
      );
    }
    for (const [date, ...keys] of chunk.seen) {
      const at = wall(date, `chunk ${i} date`);
      for (const key of keys) seen.set(key, at);
    }
  }
  // The lease message may be fresher than the head: the owner renews it between checkpoints.
  const owner = decodeOwner(server, latest);
  const sweep = decodeSweep(head.pass);
  return {
    progress: { cursor, settledBefore, seen, ...(head.budget ? { budget: head.budget } : {}) },
    ...(sweep ? { sweep } : {}),
    ...(owner ? { owner } : {}),
    generation: head.generation,
    chunks: head.chunks,
    writtenAt: head.writtenAt,
  };
}

/**
 * Who holds the operation: the latest lease message, or (checkpoints written before lease
 * messages existed) the owner in the latest head. Tolerant of a head whose chunks are not (yet)
 * there, and of anything unreadable (no owner).
 */
export function decodeOwner(
  server: string,
  latest: ReadonlyMap<string, string | null>,
): Owner | undefined {
  const leaseText = latest.get(leaseKey(server));
  if (leaseText != null) return ownerIn(leaseText);
  const headText = latest.get(headKey(server));
  return headText == null ? undefined : ownerIn(headText, 'owner');
}

function ownerIn(text: string, field?: 'owner'): Owner | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Owner> & { owner?: Partial<Owner> };
    const owner = field ? parsed.owner : parsed;
    return typeof owner?.id === 'string' && typeof owner.heartbeatAt === 'string'
      ? { id: owner.id, heartbeatAt: owner.heartbeatAt }
      : undefined;
  } catch {
    return undefined;
  }
}

function encodeSweep(sweep: SweepState): SweepValue {
  const { retry, density } = sweep;
  return {
    start: formatWallTime(sweep.start),
    position: formatWallTime(sweep.position),
    end: formatWallTime(sweep.end),
    records: sweep.records,
    ...(density !== undefined ? { density } : {}),
    ...(retry
      ? {
          retry: {
            from: formatWallTime(retry.window.from),
            to: formatWallTime(retry.window.to),
            splits: retry.splits,
            ...(retry.whole ? { whole: true } : {}),
          },
        }
      : {}),
  };
}

/**
 * The saved sweep, or undefined when there is none or it cannot be read: unlike the positions,
 * it only saves calls, and a new sweep is always safe.
 */
function decodeSweep(value: SweepValue | undefined): SweepState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const walls = [value.start, value.position, value.end].map((text) =>
    typeof text === 'string' ? parseWallTime(text) : null,
  );
  const [start, position, end] = walls;
  if (start === null || position === null || end === null) return undefined;
  if (!isCount(value.records)) return undefined;
  const sweep: SweepState = { start, position, end, records: value.records };
  if (typeof value.density === 'number' && Number.isFinite(value.density) && value.density >= 0)
    sweep.density = value.density;
  const retry = value.retry;
  if (retry) {
    const from = typeof retry.from === 'string' ? parseWallTime(retry.from) : null;
    const to = typeof retry.to === 'string' ? parseWallTime(retry.to) : null;
    if (from === null || to === null || !isCount(retry.splits)) return undefined;
    sweep.retry = {
      window: { from, to },
      splits: retry.splits,
      ...(retry.whole ? { whole: true } : {}),
    };
  }
  return sweep;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptCheckpointError(`checkpoint ${what} is not JSON`, { cause: error });
  }
}

function wall(text: string, what: string): WallSeconds {
  const parsed = typeof text === 'string' ? parseWallTime(text) : null;
  if (parsed === null)
    throw new CorruptCheckpointError(
      `checkpoint ${what} ${JSON.stringify(text)} is not a wall time`,
    );
  return parsed;
}
