import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { heartbeatPeriodMs, msUntilIdleHeartbeat } from '../lease/lease.js';

/**
 * Every decision the operation's loop makes, as pure functions of what it knows (its own
 * `LoopState`, the time, the settings): the loop (operation-loop.ts) only calls them and does
 * what they say. Nothing here reads the health status, which the loop reports, not consults.
 */

/** What the loop remembers between turns. */
export interface LoopState {
  /** When the next poll is due; turns before it go to the reconciliation and heartbeats. */
  nextPollAt: number;
  /** When this instance last wrote a heartbeat (a checkpoint, or one alone). */
  lastHeartbeatAt: number;
  /** Cycles that failed in a row (source or Kafka failures, crashes); backoff grows with it. */
  failures: number;
  /** The API's last answer was a failure (until a good cycle): no reconciliation meanwhile. */
  sourceFailing: boolean;
  /** That failure is a refused token: the next cycle reads the token file first. */
  tokenRefused: boolean;
  /** Another poller fenced this one; nothing more is published or reconciled. */
  fenced: boolean;
  /** Polling stopped for good (fenced, or no checkpoint and no POLL_START_AT). */
  halted: boolean;
}

export const INITIAL_LOOP_STATE: LoopState = {
  nextPollAt: 0,
  lastHeartbeatAt: 0,
  failures: 0,
  sourceFailing: false,
  tokenRefused: false,
  fenced: false,
  halted: false,
};

/** The state after a cycle ended with `outcome` (before its wait is decided). */
export function afterOutcome(state: LoopState, outcome: CycleOutcome): LoopState {
  const refused = outcome.kind === 'source-failed' && outcome.outcome.kind === 'token-rejected';
  const failed = outcome.kind === 'source-failed' || outcome.kind === 'publish-failed';
  const good =
    outcome.kind === 'published' || outcome.kind === 'caught-up' || outcome.kind === 'split';
  return {
    ...state,
    failures: good ? 0 : failed ? state.failures + 1 : state.failures,
    // Only the API's answers change these; Kafka's, a standby's, say nothing of the API.
    sourceFailing: outcome.kind === 'source-failed' || (state.sourceFailing && !good),
    tokenRefused: refused || (state.tokenRefused && !good && outcome.kind !== 'source-failed'),
    fenced: state.fenced || outcome.kind === 'fenced',
  };
}

/** The state after a cycle crashed (a bug, not a condition the cycle knows). */
export function afterCrash(state: LoopState): LoopState {
  return { ...state, failures: state.failures + 1 };
}

/** A crashed cycle is retried with a doubling wait, a minute at the most. */
export function crashBackoffMs(failures: number): number {
  return Math.min(60_000, 1000 * 2 ** failures);
}

/** Whether this turn polls (the poll is due) or gives its time to what waits between polls. */
export function pollDue(state: LoopState, nowMs: number): boolean {
  return state.nextPollAt <= nowMs;
}

/**
 * The token file is read again before the first call after a refusal: it may hold the same token
 * (tried again after the long wait) or a new one.
 */
export function tokenRereadDue(state: LoopState): boolean {
  return state.tokenRefused;
}

/** A new token was read from the file: after a refusal it is tried now, not at the long retry. */
export function pollNowForNewToken(state: LoopState): boolean {
  return !state.halted && state.tokenRefused;
}

/**
 * The wait before the next poll once a cycle ended: `delayMs` as decided from its outcome
 * (next-delay.ts), except that a token that came while the refused call was in flight is tried
 * at once; any other refused token only after the long wait, since calling with it again only
 * spends budget.
 */
export function pollWaitMs(
  outcome: CycleOutcome,
  delayMs: number,
  tokenChangedDuringCycle: boolean,
): number {
  const refused = outcome.kind === 'source-failed' && outcome.outcome.kind === 'token-rejected';
  return refused && tokenChangedDuringCycle ? 0 : delayMs;
}

/**
 * The reconciliation's turn: only between polls, and only while this instance holds the
 * operation: its checkpoint loaded, not fenced, the API not refusing it.
 */
export function reconcileTurnDue(
  state: LoopState,
  view: { reconcileEnabled: boolean; loaded: boolean },
): boolean {
  return (
    view.reconcileEnabled && view.loaded && !state.fenced && !state.halted && !state.sourceFailing
  );
}

/** Between polls, a heartbeat keeps the lease while nothing else writes the checkpoint. */
export function idleHeartbeatDue(state: LoopState, nowMs: number, leaseMs: number): boolean {
  return msUntilIdleHeartbeat(state.lastHeartbeatAt, nowMs, leaseMs) === 0;
}

/**
 * How long the loop sleeps after a poll that set the next one `waitMs` away: no longer than a
 * heartbeat period, and not at all when the reconciliation may use the wait (catch-up, no wait,
 * goes first).
 */
export function sleepAfterPollMs(
  waitMs: number,
  view: { leaseMs: number; reconcileEnabled: boolean },
): number {
  if (waitMs > 0 && view.reconcileEnabled) return 0;
  return Math.min(waitMs, heartbeatPeriodMs(view.leaseMs));
}

/**
 * How long the loop sleeps after a turn between polls: none while the reconciliation has more to
 * read, else until the poll or the next heartbeat, whichever comes first.
 */
export function sleepBetweenPollsMs(
  state: LoopState,
  nowMs: number,
  view: { leaseMs: number; reconcileMore: boolean },
): number {
  if (view.reconcileMore) return 0;
  const untilHeartbeat = msUntilIdleHeartbeat(state.lastHeartbeatAt, nowMs, view.leaseMs);
  return Math.max(0, Math.min(state.nextPollAt - nowMs, untilHeartbeat));
}
