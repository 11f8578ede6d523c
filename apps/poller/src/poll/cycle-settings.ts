import type { PollerConfig } from '../config/poller-config.js';
import { requestsInFlightAtMost } from '../wolkvox/wolkvox-client.factory.js';
import type { PollCycleSettings } from './poll-cycle.js';
import { limitsFor, type WindowLimits } from './window-planner.js';

/**
 * The settings of a PollCycle from the validated configuration: the live poll's, or, with
 * `overrides`, those of a run beside it (a backfill, a reconciliation pass), so that each reads
 * the configuration the same way and says only where it differs.
 */
export function cycleSettingsFrom(
  config: PollerConfig,
  overrides: Partial<Omit<PollCycleSettings, 'limits'>> = {},
): PollCycleSettings & { limits: WindowLimits } {
  return {
    operation: { server: config.wolkvox.server, timeZone: config.wolkvox.timeZone },
    startAt: config.poll.startAt,
    lookbackSeconds: config.poll.lookbackSeconds,
    settleSeconds: config.poll.settleSeconds,
    unrecordedCallAllowance: requestsInFlightAtMost(config.wolkvox),
    instanceId: config.instanceId,
    leaseMs: config.poll.leaseSeconds * 1000,
    abandonedCallMs: config.wolkvox.abandonedCallMs,
    limits: limitsFor(config.wolkvox.maxRecords),
    ...overrides,
  };
}

/**
 * A run over a past range beside the live poll. Its store always has a position, so it never
 * starts at POLL_START_AT; the range is settled, so nothing holds its end back; and it holds no
 * lease and writes no checkpoint, so the live poll's lease settings are not its own.
 */
export const RANGE_RUN = {
  startAt: undefined,
  settleSeconds: 0,
  instanceId: undefined,
  leaseMs: undefined,
  abandonedCallMs: undefined,
} as const satisfies Partial<PollCycleSettings>;
