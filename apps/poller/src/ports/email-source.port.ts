import type { WallSeconds } from '@app/contracts';
import type { RecordSink, SourceFailure, WallWindow } from '@app/wolkvox-client';

/** What one read of a window gave, as the poll cycle needs it: its records, or why there are none. */
export type SourceOutcome =
  | {
      kind: 'records';
      /** The response held as many records as the API's cut: more may exist. */
      possiblyTruncated: boolean;
      /** The API answered 404 "Validate dates entered": no records in the window. */
      notFound?: boolean;
    }
  | SourceFailure;

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
  /**
   * Reads one window, handing its elements to `sink` as they arrive. Errors thrown by the sink
   * come back out as they are; an attempt that fails calls `sink.discard()` before the read
   * retries or gives up.
   */
  abstract streamWindow(
    window: WallWindow,
    sink: RecordSink,
    signal?: AbortSignal,
  ): Promise<SourceOutcome>;
  abstract budget(): BudgetSnapshot;
  /** Seeds the day's spending after a restart; `used` already includes a safety allowance. */
  abstract restoreBudget(day: string, used: number): void;
  /** Allows calls again after the token was refused (e.g. once an operator rotated it). */
  abstract retryToken(): void;
  /**
   * Makes no call before `untilMs` (epoch ms): a previous process of this operation, killed,
   * may have left calls running on the server that still count against the token's
   * simultaneous requests. A source that makes no real calls has nothing to wait for.
   */
  assumeCallsInFlightUntil(_untilMs: number): void {}
}
