import { leaseRenewalDue, stuckAfterMs } from './lease-renewal.js';

describe('lease renewal during a cycle', () => {
  const stuck = stuckAfterMs(60_000, { maxAttempts: 4, maxDelayMs: 30_000 });

  it('presumes a cycle stuck after every attempt at its timeout, the backoff and two minutes', () => {
    expect(stuck).toBe(4 * 60_000 + 3 * 30_000 + 120_000);
  });

  it('renews from a third of the lease into the cycle until it is presumed stuck', () => {
    expect(leaseRenewalDue(1_000, 10_000, stuck)).toBe(false);
    expect(leaseRenewalDue(10_000, 10_000, stuck)).toBe(true);
    expect(leaseRenewalDue(stuck, 10_000, stuck)).toBe(true);
    expect(leaseRenewalDue(stuck + 1, 10_000, stuck)).toBe(false);
  });
});
