export interface RetryPolicy {
  /** Total HTTP attempts for one window, the first included (>= 1). */
  maxAttempts: number;
  /** Cap of the first retry's delay; doubles each retry. */
  baseDelayMs: number;
  /** No retry waits longer than this. */
  maxDelayMs: number;
}

/** `baseMs` doubled `doublings` times, but never more than `maxMs`. */
function ceilingMs(baseMs: number, doublings: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** doublings);
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
  return Math.floor(ceilingMs(policy.baseDelayMs, retry - 1, policy.maxDelayMs) * random);
}

/**
 * "Equal jitter" (same article): uniform in [c/2, c] for the ceiling c = min(maxMs, base *
 * 2^doublings), rounded. The poll loop waits this long after failed cycles: spread out like
 * full jitter, but never so short that a run of failures turns into calls back to back.
 *
 * @param random a uniform number in [0, 1]
 */
export function equalJitterDelayMs(
  baseMs: number,
  doublings: number,
  maxMs: number,
  random: number,
): number {
  const ceiling = ceilingMs(baseMs, doublings, maxMs);
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
