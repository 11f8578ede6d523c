import type { RetryPolicy } from '@app/wolkvox-client';
import type { PollerConfig } from '../config/poller-config.js';

/**
 * How the poller calls the Wolkvox API, as rules the cycle, the budget and the reconciliation
 * reason with; the client adapter (wolkvox/wolkvox-client.factory.ts) applies them.
 */

/** Attempts per window for transient faults (5xx, resets, invalid JSON, maintenance). */
export const WOLKVOX_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Requests the calls in flight can spend at most: every attempt of every call the client runs
 * at once. A crash can lose the count of that many, and a live cycle may need as many.
 */
export function requestsInFlightAtMost(
  config: Pick<PollerConfig['wolkvox'], 'maxConcurrency'>,
): number {
  return config.maxConcurrency * WOLKVOX_RETRY.maxAttempts;
}
