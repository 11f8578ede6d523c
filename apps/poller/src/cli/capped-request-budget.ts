import type { WallSeconds } from '@app/contracts';
import type { RequestBudget } from '@app/wolkvox-client';

/**
 * The day's budget, with at most `cap` requests for this run on top: a backfill must not spend
 * what the running poller needs for the rest of the day. When the cap is reached the client
 * answers "budget exhausted" without calling, and the backfill stops there.
 */
export class CappedRequestBudget implements RequestBudget {
  private spent = 0;

  constructor(
    private readonly inner: RequestBudget,
    private readonly cap: number,
  ) {}

  get runSpent(): number {
    return this.spent;
  }

  tryAcquire(): boolean {
    if (this.spent >= this.cap || !this.inner.tryAcquire()) return false;
    this.spent++;
    return true;
  }

  get used(): number {
    return this.inner.used;
  }

  get remaining(): number | undefined {
    const left = this.cap - this.spent;
    return this.inner.remaining === undefined ? left : Math.min(left, this.inner.remaining);
  }

  get limit(): number | undefined {
    return this.inner.limit;
  }

  get day(): string {
    return this.inner.day;
  }

  get resetsAt(): WallSeconds {
    return this.inner.resetsAt;
  }

  restore(day: string, used: number): void {
    this.inner.restore(day, used);
  }

  markExhausted(): void {
    this.inner.markExhausted();
  }
}
