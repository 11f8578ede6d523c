import { localDayOf, startOfNextLocalDay, wallTimeOf, type WallSeconds } from '@app/contracts';
import { systemClock, type Clock } from './clock.js';

/**
 * The operation's daily request budget as this process sees it. Wolkvox counts every call,
 * whatever it returns, per local day of the operation; the client spends one unit per HTTP
 * request (retries included) and makes no request without one.
 */
export interface RequestBudget {
  /** Takes one unit for a request about to be sent; false (and nothing taken) when none is left. */
  tryAcquire(): boolean;
  /** Units spent on the current local day. */
  readonly used: number;
  /** Units left today; undefined when the budget is unlimited. */
  readonly remaining: number | undefined;
  /** Units per local day; undefined when unlimited. */
  readonly limit: number | undefined;
  /** The current local day of the operation, `YYYY-MM-DD`. */
  readonly day: string;
  /** When the current day's budget is renewed: the start of the next local day (wall time). */
  readonly resetsAt: WallSeconds;
  /**
   * Seeds the count after a restart (from the poller's checkpoint). Ignored unless `day` is the
   * current local day: yesterday's spending says nothing about today.
   */
  restore(day: string, used: number): void;
  /**
   * Wolkvox answered TOKEN LIMIT EXCEEDED: the operation's budget is spent (other tokens share
   * it), whatever this process counted. Refuse every request until the next local day.
   */
  markExhausted(): void;
}

export interface DailyRequestBudgetOptions {
  /** Requests per local day; undefined for no local limit (the API still enforces its own). */
  limit?: number;
  /** The operation's IANA zone: days start at its local midnight. */
  timeZone: string;
  clock?: Clock;
}

/** An in-memory {@link RequestBudget}: synchronous, so concurrent calls can never overspend. */
export class DailyRequestBudget implements RequestBudget {
  readonly limit: number | undefined;
  readonly #timeZone: string;
  readonly #clock: Clock;
  #day = '';
  #used = 0;
  #exhausted = false;

  constructor(options: DailyRequestBudgetOptions) {
    if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
      throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
    }
    this.limit = options.limit;
    this.#timeZone = options.timeZone;
    this.#clock = options.clock ?? systemClock;
  }

  tryAcquire(): boolean {
    this.#rollOver();
    if (this.#exhausted) return false;
    if (this.limit !== undefined && this.#used >= this.limit) return false;
    this.#used += 1;
    return true;
  }

  get used(): number {
    this.#rollOver();
    return this.#used;
  }

  get remaining(): number | undefined {
    this.#rollOver();
    if (this.limit === undefined) return undefined;
    return this.#exhausted ? 0 : Math.max(0, this.limit - this.#used);
  }

  get day(): string {
    this.#rollOver();
    return this.#day;
  }

  get resetsAt(): WallSeconds {
    return startOfNextLocalDay(this.#wallNow());
  }

  restore(day: string, used: number): void {
    if (!Number.isInteger(used) || used < 0) {
      throw new RangeError(`used must be a non-negative integer, got ${used}`);
    }
    this.#rollOver();
    // Never lower the count: requests made since start are real spending too.
    if (day === this.#day) this.#used = Math.max(this.#used, used);
  }

  markExhausted(): void {
    this.#rollOver();
    this.#exhausted = true;
  }

  #wallNow(): WallSeconds {
    return wallTimeOf(this.#clock.now(), this.#timeZone);
  }

  #rollOver(): void {
    const today = localDayOf(this.#wallNow());
    if (today === this.#day) return;
    this.#day = today;
    this.#used = 0;
    this.#exhausted = false;
  }
}
