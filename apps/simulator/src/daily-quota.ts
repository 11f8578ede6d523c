import { localDayOf } from '@app/contracts';
import type { ZoneClock } from './zone-clock.js';

/**
 * The token's daily request limit as Wolkvox keeps it: per local day of the operation, and
 * every call with the token counts, whatever it returns (the refused ones too).
 */
export class DailyQuota {
  #day = '';
  #used = 0;

  constructor(
    private readonly clock: ZoneClock,
    /** Undefined: no limit. */
    public limit: number | undefined,
  ) {}

  /** Counts one call; false when the day's limit was already reached. */
  spend(): boolean {
    this.#rollOver();
    this.#used += 1;
    return this.limit === undefined || this.#used <= this.limit;
  }

  get used(): number {
    this.#rollOver();
    return this.#used;
  }

  get day(): string {
    this.#rollOver();
    return this.#day;
  }

  reset(): void {
    this.#day = '';
    this.#used = 0;
  }

  #rollOver(): void {
    const today = localDayOf(this.clock.wallNow());
    if (today !== this.#day) {
      this.#day = today;
      this.#used = 0;
    }
  }
}
