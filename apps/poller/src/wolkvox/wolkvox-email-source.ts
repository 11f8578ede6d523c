import type { RecordSink, RequestBudget, WallWindow, WolkvoxClient } from '@app/wolkvox-client';
import {
  EmailSource,
  type BudgetSnapshot,
  type SourceOutcome,
} from '../ports/email-source.port.js';

/** The undici Wolkvox client as the poll cycle's EmailSource: a thin pass-through. */
export class WolkvoxEmailSource extends EmailSource {
  constructor(
    private readonly client: WolkvoxClient,
    private readonly requestBudget: RequestBudget,
  ) {
    super();
  }

  async streamWindow(
    window: WallWindow,
    sink: RecordSink,
    signal?: AbortSignal,
  ): Promise<SourceOutcome> {
    const outcome = await this.client.streamWindow(window, sink, { signal });
    if (outcome.kind !== 'records') return outcome;
    return {
      kind: 'records',
      possiblyTruncated: outcome.possiblyTruncated,
      notFound: outcome.httpStatus === 404,
    };
  }

  budget(): BudgetSnapshot {
    const b = this.requestBudget;
    return {
      day: b.day,
      used: b.used,
      limit: b.limit,
      remaining: b.remaining,
      resetsAt: b.resetsAt,
    };
  }

  restoreBudget(day: string, used: number): void {
    this.requestBudget.restore(day, used);
  }

  retryToken(): void {
    this.client.resetTokenRejection();
  }

  override assumeCallsInFlightUntil(untilMs: number): void {
    this.client.assumeCallsInFlightUntil(untilMs);
  }
}
