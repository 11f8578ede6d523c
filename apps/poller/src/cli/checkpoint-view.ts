import { formatWallTime, localDayOf, startOfNextLocalDay, type WallSeconds } from '@app/contracts';
import type { StoredCheckpoint } from '../kafka/checkpoint-codec.js';

/** The day's request budget as the checkpoint last recorded it. */
export interface BudgetView {
  /** The operation's current local day. */
  day: string;
  /** Requests recorded for today (0 when the checkpoint's count is of an earlier day). */
  used: number;
  /** WOLKVOX_DAILY_QUOTA; null when unset (the API still enforces licenses x 1000). */
  limit: number | null;
  remaining: number | null;
  /** Start of the next local day, when the API renews the budget. */
  resetsAt: string;
  /** When the checkpoint holding the count was written; a running poller may have spent more since. */
  recordedAt: string | null;
}

export interface CheckpointView {
  operation: string;
  timeZone: string;
  /** Every date before it has been read at least once. */
  cursor: string;
  /** Every date before it is settled: never read again, late records included. */
  settledBefore: string;
  /** Seconds between now and the cursor, on the operation's clock. */
  lagSeconds: number;
  seenKeys: number;
  generation: number;
  chunks: number;
  writtenAt: string;
  /** The poller instance holding the operation's lease, and its last heartbeat. */
  owner: { id: string; heartbeatAt: string } | null;
  budget: BudgetView;
}

export function budgetView(
  checkpoint: StoredCheckpoint | null,
  limit: number | undefined,
  nowWall: WallSeconds,
): BudgetView {
  const day = localDayOf(nowWall);
  const recorded = checkpoint?.progress.budget;
  const used = recorded?.day === day ? recorded.used : 0;
  return {
    day,
    used,
    limit: limit ?? null,
    remaining: limit === undefined ? null : Math.max(0, limit - used),
    resetsAt: formatWallTime(startOfNextLocalDay(nowWall)),
    recordedAt: checkpoint?.writtenAt || null,
  };
}

export function checkpointView(
  checkpoint: StoredCheckpoint,
  operation: { server: string; timeZone: string; dailyQuota: number | undefined },
  nowWall: WallSeconds,
): CheckpointView {
  const { progress } = checkpoint;
  return {
    operation: operation.server,
    timeZone: operation.timeZone,
    cursor: formatWallTime(progress.cursor),
    settledBefore: formatWallTime(progress.settledBefore),
    lagSeconds: Math.max(0, nowWall - progress.cursor),
    seenKeys: progress.seen.size,
    generation: checkpoint.generation,
    chunks: checkpoint.chunks,
    writtenAt: checkpoint.writtenAt,
    owner: checkpoint.owner ? { ...checkpoint.owner } : null,
    budget: budgetView(checkpoint, operation.dailyQuota, nowWall),
  };
}

export function formatCheckpoint(view: CheckpointView): string {
  return table([
    ['operation', `${view.operation} (${view.timeZone})`],
    ['cursor', `${view.cursor}  (read up to here; ${duration(view.lagSeconds)} behind now)`],
    ['settledBefore', `${view.settledBefore}  (never read again before this)`],
    ['seen keys', `${view.seenKeys}  (published in the look-back, skipped when read again)`],
    [
      'generation',
      `${view.generation} (${view.chunks} seen-key chunks), written ${view.writtenAt}`,
    ],
    [
      'lease',
      view.owner
        ? `held by ${view.owner.id}, last heartbeat ${view.owner.heartbeatAt}`
        : 'not held (released, or written before leases)',
    ],
    ['budget', budgetLine(view.budget)],
  ]);
}

/** The budget as recorded, then `more` rows (the day's projection). */
export function formatBudget(view: BudgetView, more: Array<[string, string]> = []): string {
  return table([
    ['day', `${view.day} (the operation's local day)`],
    ['used', `${view.used}${view.recordedAt ? ` (as recorded at ${view.recordedAt})` : ''}`],
    [
      'limit',
      view.limit === null
        ? 'not set (WOLKVOX_DAILY_QUOTA): only the API limit applies, licenses x 1000 a day'
        : String(view.limit),
    ],
    ['remaining', view.remaining === null ? 'unknown' : String(view.remaining)],
    ['resets at', `${view.resetsAt} local`],
    ...more,
  ]);
}

function budgetLine(budget: BudgetView): string {
  const of = budget.limit === null ? '' : ` of ${budget.limit}, ${budget.remaining} left`;
  return `${budget.used} requests used on ${budget.day}${of}; resets at ${budget.resetsAt} local`;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m ${s}s` : m ? `${m}m ${s}s` : `${s}s`;
}

/** Two columns: names padded to the longest, then values. */
export function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
