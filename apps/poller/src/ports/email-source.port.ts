import type { Cdr9Record, WallSeconds } from '@app/contracts';
import type { Window } from '../poll/window-planner.js';

/** What one read of a window gave, as the poll cycle needs it (the client's outcome, narrowed). */
export type SourceOutcome =
  | {
      kind: 'records';
      records: ReadonlyArray<{ record: Cdr9Record; wall: WallSeconds }>;
      invalid: ReadonlyArray<{ raw: unknown; reason: string }>;
      /** The response held as many records as the API's cut: more may exist. */
      possiblyTruncated: boolean;
    }
  | { kind: 'timed-out' }
  | { kind: 'token-rejected'; message: string }
  | { kind: 'budget-exhausted'; resetsAt: WallSeconds; source: 'api' | 'local' }
  | { kind: 'misconfigured'; status: number; message: string }
  | { kind: 'unavailable'; attempts: number; lastError: string };

/** A snapshot of the day's request budget, for the checkpoint and the metrics. */
export interface BudgetSnapshot {
  day: string;
  used: number;
  limit: number | undefined;
  remaining: number | undefined;
  resetsAt: WallSeconds;
}

/** Port: the Wolkvox cdr_9 report. Bound to the undici client adapter in the module. */
export abstract class EmailSource {
  abstract fetchWindow(window: Window, signal?: AbortSignal): Promise<SourceOutcome>;
  abstract budget(): BudgetSnapshot;
  /** Seeds the day's spending after a restart; `used` already includes a safety allowance. */
  abstract restoreBudget(day: string, used: number): void;
  /** Allows calls again after the token was refused (e.g. once an operator rotated it). */
  abstract retryToken(): void;
}
