import type { Operation } from '@app/contracts';
import type { PollerConfig } from '../config/poller-config.js';
import { requestsInFlightAtMost } from './call-rules.js';
import { limitsFor, type WindowLimits } from './window-planner.js';

export interface PollCycleSettings {
  operation: Operation;
  /** RFC 3339 instant of the very first run; ignored once a checkpoint exists. */
  startAt: Date | undefined;
  lookbackSeconds: number;
  /** The end of a sweep stays this far behind the present (records still being written). */
  settleSeconds: number;
  /** Requests a crash may have spent without recording them, added when a budget is restored. */
  unrecordedCallAllowance: number;
  /**
   * This process's name in the lease (the pod or host name): a restart under the same name
   * takes the operation back at once, another name waits for the lease to lapse.
   */
  instanceId?: string;
  /** How long an owner's last checkpoint keeps other instances from taking over. */
  leaseMs?: number;
  /**
   * How long after it was sent a call may still run on the server once its caller is gone.
   * After a takeover or a crash, no call is made before the previous owner's last lease
   * renewal plus this (and the renewal period): its calls may still count against the token.
   */
  abandonedCallMs?: number;
  limits?: WindowLimits;
  clock?: () => Date;
}

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
