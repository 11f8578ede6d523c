export interface RetryPolicy {
  /** Total HTTP attempts for one window, the first included (>= 1). */
  maxAttempts: number;
  /** Cap of the first retry's delay; doubles each retry. */
  baseDelayMs: number;
  /** No retry waits longer than this. */
  maxDelayMs: number;
}

/**
 * "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): the delay before
 * retry n is uniform in [0, min(maxDelay, base * 2^(n-1))). Spreading retries over the whole
 * interval keeps two pollers, or a poller and its restarted self, from hitting a recovering
 * server in lockstep.
 *
 * @param retry 1 for the first retry (after the first failed attempt), 2 for the second, ...
 * @param random a uniform number in [0, 1)
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(ceiling * random);
}
