import { backoffDelayMs, equalJitterDelayMs } from './backoff.js';

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

describe('equalJitterDelayMs', () => {
  it('draws from half the ceiling to all of it, the ceiling doubling up to the cap', () => {
    expect(equalJitterDelayMs(5000, 0, 120_000, 0)).toBe(2500);
    expect(equalJitterDelayMs(5000, 0, 120_000, 1)).toBe(5000);
    expect(equalJitterDelayMs(5000, 2, 120_000, 0.5)).toBe(15_000);
    expect(equalJitterDelayMs(5000, 20, 120_000, 1)).toBe(120_000);
  });
});
