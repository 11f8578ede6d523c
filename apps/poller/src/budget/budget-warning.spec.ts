import { parseWallTime } from '@app/contracts';
import { configFromEnv } from '../config/__tests__/config-from-env.js';
import { budgetWarning } from './budget-warning.js';

const at = parseWallTime('2026-03-02 16:33:20')!;

describe('budgetWarning', () => {
  it('says when the budget runs out on the operation clock and which interval fits', () => {
    const config = configFromEnv({ POLL_INTERVAL_SECONDS: '5', WOLKVOX_DAILY_QUOTA: '2000' });
    expect(budgetWarning(config, at)).toBe(
      'WOLKVOX_DAILY_QUOTA=2000 is less than a day needs: the live poll about 17284 calls (every 5 s) and the reconciliation pass 1; polling from now, it runs out at about 19:20 (America/Bogota), and on a whole day at 02:46; after that nothing is read until the next local day, and the pass is skipped; POLL_INTERVAL_SECONDS=44 or more fits',
    );
  });

  it('is silent when a day fits, or without a quota', () => {
    expect(budgetWarning(configFromEnv({ WOLKVOX_DAILY_QUOTA: '2000' }), at)).toBeUndefined();
    expect(budgetWarning(configFromEnv({ POLL_INTERVAL_SECONDS: '5' }), at)).toBeUndefined();
  });

  it('says so when no interval fits', () => {
    const config = configFromEnv({ WOLKVOX_DAILY_QUOTA: '3', WOLKVOX_MAX_CONCURRENCY: '2' });
    expect(budgetWarning(config, at)).toMatch(/no poll interval fits: raise WOLKVOX_DAILY_QUOTA/);
  });
});
