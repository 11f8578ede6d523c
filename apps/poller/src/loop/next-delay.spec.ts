import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { nextDelayMs } from './next-delay.js';

const settings = { intervalSeconds: 300, maxBackoffSeconds: 120, tokenRetrySeconds: 900 };
const window = { from: 0, to: 10 };
const failed = (
  outcome: Extract<CycleOutcome, { kind: 'source-failed' }>['outcome'],
): CycleOutcome => ({ kind: 'source-failed', window, outcome });

describe('nextDelayMs', () => {
  it('runs catch-up back to back and waits an interval once caught up', () => {
    expect(
      nextDelayMs({ kind: 'split', window, retry: window, reason: 'truncated' }, 0, 0, settings),
    ).toBe(0);
    expect(nextDelayMs({ kind: 'caught-up', lagSeconds: 60 }, 0, 0, settings)).toBe(300_000);
    expect(nextDelayMs({ kind: 'caught-up', lagSeconds: 301 }, 0, 0, settings)).toBe(0);
  });

  it('backs off exponentially with jitter, up to a ceiling', () => {
    const unavailable = failed({ kind: 'unavailable', attempts: 3, lastError: '503' });
    expect(nextDelayMs(unavailable, 0, 0, settings, () => 1)).toBe(5000);
    expect(nextDelayMs(unavailable, 0, 0, settings, () => 0)).toBe(2500);
    expect(nextDelayMs(unavailable, 2, 0, settings, () => 1)).toBe(20_000);
    expect(nextDelayMs(unavailable, 30, 0, settings, () => 1)).toBe(120_000);
    expect(
      nextDelayMs(
        { kind: 'publish-failed', window, error: new Error('x') },
        1,
        0,
        settings,
        () => 1,
      ),
    ).toBe(2000);
  });

  it('waits for the next local day when the daily budget is spent', () => {
    expect(
      nextDelayMs(
        failed({ kind: 'budget-exhausted', resetsAt: 1000, source: 'api' }),
        0,
        400,
        settings,
      ),
    ).toBe(605_000);
  });

  it('stays quiet after a refused token and stops once fenced', () => {
    expect(
      nextDelayMs(
        failed({ kind: 'token-rejected', message: 'PLEASE VALIDATE TOKEN' }),
        5,
        0,
        settings,
      ),
    ).toBe(900_000);
    expect(
      nextDelayMs({ kind: 'fenced', error: new Error('x') as never }, 0, 0, settings),
    ).toBeNull();
  });
});
