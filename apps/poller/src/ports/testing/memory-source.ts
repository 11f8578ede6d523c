import { parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import type { RecordSink, RequestBudget, WallWindow } from '@app/wolkvox-client';
import { EmailSource, type BudgetSnapshot, type SourceOutcome } from '../email-source.port.js';

/** Which ends of a window the API includes: the vendor does not say (docs/CONTRACT.md). */
export type ApiBounds = 'inclusive' | 'end-exclusive' | 'start-exclusive' | 'exclusive';

/**
 * How a source that holds its records hands them over: every element, then one drain, as the
 * client does with a response that arrives in one chunk.
 */
export async function streamHeld(
  sink: RecordSink,
  records: ReadonlyArray<{ record: Cdr9Record; wall: WallSeconds }>,
  invalid: ReadonlyArray<{ raw: unknown; reason: string }> = [],
): Promise<void> {
  for (const { record, wall } of records) sink.accept({ ok: true, record, wall });
  for (const { raw, reason } of invalid) sink.accept({ ok: false, raw, reason });
  await sink.drain();
}

/**
 * The cdr_9 report in memory, for unit tests of what runs on the EmailSource port: windows read
 * as `bounds` says, a cut at `limit` records (the first in `order`), records that become visible
 * only at `visibleAt`, failures on demand, and a request budget when one is given.
 */
export class MemorySource extends EmailSource {
  rows: Array<{ record: Cdr9Record; visibleAt?: WallSeconds }>;
  /** The windows asked for, in order (calls the budget refused are not made, nor listed). */
  readonly calls: WallWindow[] = [];
  limit = 60_000;
  bounds: ApiBounds = 'inclusive';
  order: 'oldest' | 'newest' | 'shuffled' = 'oldest';
  /** Reverses a response after its cut (the cut still keeps the first in `order`). */
  reverseAfterCut = false;
  /** The next read hands over this many records, fails, and is retried (the client's discard). */
  failAttemptAfter: number | undefined;
  /** The next this many calls answer "unavailable". */
  unavailable = 0;
  /** The operation's wall clock: records with a later `visibleAt` are not returned yet. */
  now: () => WallSeconds = () => Number.POSITIVE_INFINITY;
  /** Requests spent (without a `requests` budget). */
  used = 0;
  /** Every `assumeCallsInFlightUntil` asked, in order: the waits for a previous holder's calls. */
  readonly callsAssumedUntil: number[] = [];
  private seed = 7;

  constructor(
    rows: Cdr9Record[] = [],
    private readonly options: { requests?: RequestBudget; day?: string } = {},
  ) {
    super();
    this.rows = rows.map((record) => ({ record }));
  }

  override assumeCallsInFlightUntil(untilMs: number): void {
    this.callsAssumedUntil.push(untilMs);
  }

  async streamWindow(window: WallWindow, sink: RecordSink): Promise<SourceOutcome> {
    const { requests } = this.options;
    if (requests && !requests.tryAcquire())
      return { kind: 'budget-exhausted', resetsAt: 0, source: 'local' };
    this.calls.push(window);
    this.used++;
    if (this.unavailable > 0) {
      this.unavailable--;
      return { kind: 'unavailable', attempts: 3, lastError: 'reset' };
    }
    const visible = this.answer(window);
    if (this.failAttemptAfter !== undefined) {
      await streamHeld(sink, visible.slice(0, this.failAttemptAfter));
      this.failAttemptAfter = undefined;
      await sink.discard();
    }
    await streamHeld(sink, visible);
    return { kind: 'records', possiblyTruncated: visible.length >= this.limit };
  }

  budget(): BudgetSnapshot {
    const r = this.options.requests;
    if (r) return { day: r.day, used: r.used, limit: r.limit, remaining: r.remaining, resetsAt: 0 };
    const day = this.options.day ?? '2026-03-01';
    return { day, used: this.used, limit: undefined, remaining: undefined, resetsAt: 0 };
  }

  restoreBudget(_day: string, used: number): void {
    if (!this.options.requests) this.used = used;
  }

  retryToken(): void {}

  /** The records the API would send for `window`, in the order it would send them. */
  private answer(window: WallWindow): Array<{ record: Cdr9Record; wall: WallSeconds }> {
    const excludesStart = this.bounds === 'start-exclusive' || this.bounds === 'exclusive';
    const excludesEnd = this.bounds === 'end-exclusive' || this.bounds === 'exclusive';
    const from = window.from + (excludesStart ? 1 : 0);
    const to = window.to - (excludesEnd ? 1 : 0);
    const matching = this.rows
      .map(({ record, visibleAt }) => ({ record, visibleAt, wall: parseWallTime(record.date)! }))
      .filter((r) => r.wall >= from && r.wall <= to && (r.visibleAt ?? 0) <= this.now())
      .sort((a, b) => a.wall - b.wall)
      .map(({ record, wall }) => ({ record, wall }));
    if (this.order === 'newest') matching.reverse();
    if (this.order === 'shuffled') {
      for (let i = matching.length - 1; i > 0; i--) {
        this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        const j = this.seed % (i + 1);
        [matching[i], matching[j]] = [matching[j], matching[i]];
      }
    }
    const visible = matching.slice(0, this.limit);
    if (this.reverseAfterCut) visible.reverse();
    return visible;
  }
}
