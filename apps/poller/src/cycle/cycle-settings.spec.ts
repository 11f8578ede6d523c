import { configFromEnv } from '../config/__tests__/config-from-env.js';
import { cycleSettingsFrom, RANGE_RUN } from './cycle-settings.js';
import { limitsFor } from './window-planner.js';

describe('cycleSettingsFrom', () => {
  const env = {
    WOLKVOX_TIMEZONE: 'America/Lima',
    WOLKVOX_MAX_CONCURRENCY: '2',
    WOLKVOX_MAX_RECORDS: '1000',
    WOLKVOX_ABANDONED_CALL_SECONDS: '90',
    POLL_START_AT: '2026-01-01T00:00:00-05:00',
    POLL_LOOKBACK_SECONDS: '600',
    POLL_SETTLE_SECONDS: '30',
    POLL_LEASE_SECONDS: '45',
    POLLER_INSTANCE_ID: 'pod-a',
  };

  it("gives the live poll's settings from the configuration", () => {
    expect(cycleSettingsFrom(configFromEnv(env))).toEqual({
      operation: { server: '0010', timeZone: 'America/Lima' },
      startAt: new Date('2026-01-01T05:00:00Z'),
      lookbackSeconds: 600,
      settleSeconds: 30,
      // Two calls at once, each of up to four attempts (WOLKVOX_RETRY).
      unrecordedCallAllowance: 8,
      instanceId: 'pod-a',
      leaseMs: 45_000,
      abandonedCallMs: 90_000,
      limits: limitsFor(1000),
    });
  });

  it('lets a run beside the live poll say only where it differs', () => {
    const settings = cycleSettingsFrom(configFromEnv(env), RANGE_RUN);
    expect(settings).toMatchObject({
      operation: { server: '0010', timeZone: 'America/Lima' },
      lookbackSeconds: 600,
      unrecordedCallAllowance: 8,
      settleSeconds: 0,
      limits: limitsFor(1000),
    });
    expect(settings.startAt).toBeUndefined();
    expect(settings.instanceId).toBeUndefined();
    expect(settings.leaseMs).toBeUndefined();
    expect(settings.abandonedCallMs).toBeUndefined();
  });
});
