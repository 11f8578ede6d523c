import { formatWallTime, type WallSeconds } from '@app/contracts';
import type { SourceFailure } from '@app/wolkvox-client';
import type { RotatingSecret } from '../config/rotating-secret.js';

/**
 * Everything the poller decides per kind of API failure, in one table: the logs, the CLI, the
 * reconciliation pass, readiness and the next delay read it, so that a new kind, or a changed
 * rule, is one entry here rather than a case in each of them.
 */

/** The wolkvox readiness indicator while the failure lasts. */
export interface SourceReadiness {
  status: 'down' | 'degraded';
  message: string;
  /** The indicator shows the day's request budget beside the message. */
  showsBudget: boolean;
}

/** What the wait after a failure depends on besides the failure. */
export interface WaitContext {
  nowWall: WallSeconds;
  tokenRetryMs: number;
  /** The loop's backoff from `baseMs`, grown with its run of failures. */
  backoffMs: (baseMs: number) => number;
}

interface Entry<F extends SourceFailure> {
  /** One line for an operator (logs, CLI summaries, a reconciliation pass's reason). */
  describe(failure: F): string;
  /** A one-off CLI run's line, where it differs: the run's own budget is not the day's. */
  describeForRun?(failure: F): string | undefined;
  /** What the poller does about it beyond waiting, said after its log line. */
  consequence?: string;
  /** The day's request budget is spent: a reconciliation pass stops rather than fails. */
  budgetSpent?: boolean;
  readiness(failure: F, token: RotatingSecret): SourceReadiness;
  /** How long the poll loop waits before its next cycle. */
  waitMs(failure: F, context: WaitContext): number;
}

type Table = { [K in SourceFailure['kind']]: Entry<Extract<SourceFailure, { kind: K }>> };

/** Transient faults: the poller retries on its own, so readiness is only degraded. */
const unavailable = (lastError: string): SourceReadiness => ({
  status: 'degraded',
  message: `the API is unavailable (${lastError}); retrying with backoff`,
  showsBudget: false,
});

const SOURCE_FAILURES: Table = {
  'timed-out': {
    describe: () => 'a single second timed out at the API',
    readiness: () => unavailable('the API timed out on a single second'),
    waitMs: (_failure, { backoffMs }) => backoffMs(5000),
  },
  'token-rejected': {
    describe: ({ message }) => `the token was refused (${message})`,
    consequence: 'calls stop until the token is tried again',
    readiness: (_failure, token) => ({
      status: 'down',
      message: tokenRefusedMessage(token),
      showsBudget: false,
    }),
    // Calling with the refused token again only spends budget.
    waitMs: (_failure, { tokenRetryMs }) => tokenRetryMs,
  },
  'budget-exhausted': {
    describe: ({ source, resetsAt }) =>
      `the daily request budget is spent (${source === 'api' ? 'the API said so' : 'the local quota'}) until ${formatWallTime(resetsAt)} local`,
    describeForRun: ({ source }) =>
      source === 'local'
        ? 'the request budget of this run (--max-requests, or WOLKVOX_DAILY_QUOTA) is spent'
        : undefined,
    budgetSpent: true,
    readiness: ({ resetsAt }) => ({
      status: 'down',
      message: `the daily request budget is spent: calls resume at ${formatWallTime(resetsAt)} (operation's local time)`,
      showsBudget: true,
    }),
    // Until the operation's next local day begins, 5 s past it so the call lands in the new day.
    waitMs: ({ resetsAt }, { nowWall }) => Math.max(1000, (resetsAt - nowWall) * 1000 + 5000),
  },
  misconfigured: {
    describe: ({ status, message }) =>
      `HTTP ${status} ${message}: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token`,
    readiness: ({ status }) => ({
      status: 'down',
      message: `Wolkvox answered HTTP ${status}: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token`,
      showsBudget: false,
    }),
    // No retry changes the answer until someone fixes the settings: as long a wait as a refusal.
    waitMs: (_failure, { tokenRetryMs }) => tokenRetryMs,
  },
  unavailable: {
    describe: ({ attempts, lastError }) => `unavailable after ${attempts} attempts (${lastError})`,
    readiness: ({ lastError }) => unavailable(lastError),
    waitMs: (_failure, { backoffMs }) => backoffMs(5000),
  },
};

function entryOf(failure: SourceFailure): Entry<SourceFailure> {
  return SOURCE_FAILURES[failure.kind];
}

/** One line for an operator on why the API gave no usable answer (logs, CLI summaries). */
export function describeSourceFailure(failure: SourceFailure): string {
  return entryOf(failure).describe(failure);
}

/** {@link describeSourceFailure} as a one-off CLI run (a backfill) says it. */
export function describeSourceFailureForRun(failure: SourceFailure): string {
  const entry = entryOf(failure);
  return entry.describeForRun?.(failure) ?? entry.describe(failure);
}

export function sourceFailureConsequence(failure: SourceFailure): string | undefined {
  return entryOf(failure).consequence;
}

export function isBudgetSpent(failure: SourceFailure): boolean {
  return entryOf(failure).budgetSpent ?? false;
}

export function sourceReadiness(failure: SourceFailure, token: RotatingSecret): SourceReadiness {
  return entryOf(failure).readiness(failure, token);
}

export function sourceFailureWaitMs(failure: SourceFailure, context: WaitContext): number {
  return entryOf(failure).waitMs(failure, context);
}

/** What an operator can do about a refused token depends on how it was given. */
export function tokenRefusedMessage(token: RotatingSecret): string {
  const refused =
    'Wolkvox refused the token (403 PLEASE VALIDATE TOKEN): no call is made until it is tried again';
  if (token.path === undefined) {
    return `${refused}; WOLKVOX_TOKEN cannot change while the poller runs: set the new token and restart, or give it as WOLKVOX_TOKEN_FILE`;
  }
  const problem = token.problem ? ` (the last read failed: ${token.problem})` : '';
  return `${refused}; put the new token in ${token.path} (WOLKVOX_TOKEN_FILE): it is read again every few seconds and polling resumes with it${problem}`;
}
