import type { WallSeconds } from '@app/contracts';
import { equalJitterDelayMs } from '@app/wolkvox-client';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { sourceFailureWaitMs } from '../cycle/source-failures.js';

export interface DelaySettings {
  intervalSeconds: number;
  /** Ceiling of the backoff after failures. */
  maxBackoffSeconds: number;
  /** How long to stay quiet after the token was refused before trying it again. */
  tokenRetrySeconds: number;
}

/**
 * How long to wait before the next cycle: a pure decision on the last outcome. Null means stop.
 *
 * Catch-up runs cycles back to back; a caught-up poller waits one interval; failures back off
 * exponentially with equal jitter so a fleet of pollers never retries in step; a spent daily
 * budget waits for the operation's next local day; a refused token waits long, since calling
 * with it again only spends budget.
 */
export function nextDelayMs(
  outcome: CycleOutcome,
  consecutiveFailures: number,
  nowWall: WallSeconds,
  settings: DelaySettings,
  random: () => number = Math.random,
): number | null {
  const backoff = (baseMs: number): number =>
    equalJitterDelayMs(
      baseMs,
      Math.min(consecutiveFailures, 20),
      settings.maxBackoffSeconds * 1000,
      random(),
    );
  switch (outcome.kind) {
    case 'published':
    case 'split':
    case 'read-whole':
      return 0;
    case 'caught-up':
      // A pass that took longer than an interval (a catch-up) is followed at once.
      return outcome.lagSeconds > settings.intervalSeconds ? 0 : settings.intervalSeconds * 1000;
    case 'fenced':
      return null;
    case 'standby':
      return outcome.retryInMs;
    case 'publish-failed':
      return backoff(1000);
    case 'checkpoint-unreadable':
      // Nothing to retry until an operator acts: look again once an interval.
      return settings.intervalSeconds * 1000;
    case 'source-failed':
      return sourceFailureWaitMs(outcome.outcome, {
        nowWall,
        tokenRetryMs: settings.tokenRetrySeconds * 1000,
        backoffMs: backoff,
      });
  }
}
