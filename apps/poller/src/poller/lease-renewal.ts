/**
 * Whether the loop renews the lease for the cycle in flight (see PollerService): not in its
 * first third of a lease (the checkpoint before it renewed the lease), and not once it has run
 * longer than any legitimate cycle can (`stuckAfterMs`): a poller stuck in a cycle lets its
 * lease lapse, so that a standby takes over.
 */
export function leaseRenewalDue(runningMs: number, heartbeatMs: number, stuckAfterMs: number) {
  return runningMs >= heartbeatMs && runningMs <= stuckAfterMs;
}

/**
 * The longest a legitimate cycle runs: every attempt of the API call at its timeout, the
 * longest backoff between them, and two minutes for Kafka.
 */
export function stuckAfterMs(
  callTimeoutMs: number,
  retry: { maxAttempts: number; maxDelayMs: number },
): number {
  return retry.maxAttempts * callTimeoutMs + (retry.maxAttempts - 1) * retry.maxDelayMs + 120_000;
}
