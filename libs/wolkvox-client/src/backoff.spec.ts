import { backoffDelayMs } from './backoff.js';

const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs (full jitter)', () => {
  it('doubles the ceiling each retry up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map(
      (retry) => backoffDelayMs(policy, retry, 0.999_999) + 1,
    );
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws anywhere from zero to the ceiling', () => {
    expect(backoffDelayMs(policy, 3, 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, 0.5)).toBe(200);
  });
});
