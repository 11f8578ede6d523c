import type { CallReport, WallWindow } from './fetch-outcome.js';
import type { Abandoned, AttemptResult } from './streaming-read.js';

export interface CallFacts {
  window: WallWindow;
  attempt: number;
  httpStatus: number | undefined;
  durationMs: number;
}

/** What `onCall` hears of one HTTP request; `scrub` keeps the token out of its detail. */
export function callReport(
  facts: CallFacts,
  result: AttemptResult | Abandoned,
  scrub: (text: string) => string,
): CallReport {
  const report: CallReport = {
    window: { ...facts.window },
    attempt: facts.attempt,
    httpStatus: facts.httpStatus,
    result: result.kind === 'answered' ? result.class.kind : result.kind,
    returned: result.kind === 'answered' ? result.returned : 0,
    durationMs: facts.durationMs,
  };
  if (result.kind === 'network-error') report.detail = result.reason;
  if (result.kind === 'answered') {
    const answer = result.class;
    if (answer.kind === 'transient') report.detail = scrub(answer.reason);
    else if (answer.kind !== 'data' && answer.kind !== 'empty')
      report.detail = scrub(answer.message);
  }
  return report;
}
