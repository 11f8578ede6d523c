import { formatWallTime } from '@app/contracts';
import type { SourceOutcome } from '../ports/email-source.port.js';

/** One line for an operator on why the API gave no usable answer (logs, CLI summaries). */
export function describeSourceFailure(
  outcome: Exclude<SourceOutcome, { kind: 'records' }>,
): string {
  switch (outcome.kind) {
    case 'token-rejected':
      return `the token was refused (${outcome.message})`;
    case 'budget-exhausted':
      return `the daily request budget is spent (${outcome.source === 'api' ? 'the API said so' : 'the local quota'}) until ${formatWallTime(outcome.resetsAt)} local`;
    case 'misconfigured':
      return `HTTP ${outcome.status} ${outcome.message}: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token`;
    case 'unavailable':
      return `unavailable after ${outcome.attempts} attempts (${outcome.lastError})`;
    case 'timed-out':
      return 'a single second timed out at the API';
  }
}
