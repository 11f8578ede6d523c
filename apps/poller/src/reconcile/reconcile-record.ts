import { formatWallTime, parseWallTime, type WallSeconds } from '@app/contracts';
import type { ProgressMessage } from '../kafka/checkpoint-codec.js';
import type { LastPass, PassOutcome } from './reconcile-schedule.js';

/**
 * What the operation remembers of its last reconciliation pass: key `<server>/reconcile` on the
 * progress topic (compacted, so only the latest stays), beside the checkpoint but never part of
 * it. Written when a pass starts (no `finished`) and when it ends, so a restart knows whether
 * the slot's pass is done, and an operator can see what it found (`cli reconcile`).
 */
export interface PassRecord extends LastPass {
  /** The range read, local wall clock. */
  from?: WallSeconds;
  last?: WallSeconds;
  startedAt: string;
  finished?: {
    outcome: PassOutcome;
    at: string;
    /** Events published by the pass: emails the live poll's look-back missed. */
    found: number;
    deadLetters: number;
    /** Keys the topics already held (the live poll had them). */
    alreadyPublished: number;
    /** API requests the pass spent. */
    calls: number;
    reason?: string;
  };
}

export const RECONCILE_RECORD_VERSION = 1;

export function reconcileKey(server: string): string {
  return `${server}/reconcile`;
}

export function encodePassRecord(server: string, record: PassRecord): ProgressMessage {
  const { slot, from, last, ...rest } = record;
  return {
    key: reconcileKey(server),
    value: JSON.stringify({
      version: RECONCILE_RECORD_VERSION,
      slot: formatWallTime(slot),
      ...(from !== undefined ? { from: formatWallTime(from) } : {}),
      ...(last !== undefined ? { last: formatWallTime(last) } : {}),
      ...rest,
    }),
  };
}

/**
 * The record from the latest value of the key; undefined when there is none or it cannot be
 * read (a newer release's): the pass then waits for the next slot, which is safe either way.
 */
export function decodePassRecord(text: string | null | undefined): PassRecord | undefined {
  if (!text) return undefined;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const wall = (v: unknown) =>
      typeof v === 'string' ? (parseWallTime(v) ?? undefined) : undefined;
    const slot = wall(raw.slot);
    if (raw.version !== RECONCILE_RECORD_VERSION || slot === undefined) return undefined;
    const record: PassRecord = {
      slot,
      startedAt: typeof raw.startedAt === 'string' ? raw.startedAt : '',
    };
    const from = wall(raw.from);
    const last = wall(raw.last);
    if (from !== undefined) record.from = from;
    if (last !== undefined) record.last = last;
    if (raw.finished && typeof raw.finished === 'object')
      record.finished = raw.finished as PassRecord['finished'];
    return record;
  } catch {
    return undefined;
  }
}

/** The record for an operator: wall times as the operation's clock shows them. */
export function describePassRecord(record: PassRecord | undefined): Record<string, unknown> {
  if (!record) return { lastPass: 'none yet' };
  return {
    slot: formatWallTime(record.slot),
    ...(record.from !== undefined && record.last !== undefined
      ? { range: `${formatWallTime(record.from)} .. ${formatWallTime(record.last)}` }
      : {}),
    startedAt: record.startedAt,
    ...(record.finished ? record.finished : { outcome: 'running, or cut short (runs again)' }),
  };
}
