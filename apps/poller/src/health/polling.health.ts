import type { HealthIndicatorService } from '@nestjs/terminus';
import type { PollerConfig } from '../config/poller-config.js';
import { PollerStatus } from '../loop/poller-status.js';

/** How old the last good poll may be: three intervals, and never under a minute. */
export function staleAfterSeconds(intervalSeconds: number): number {
  return Math.max(3 * intervalSeconds, 60);
}

/**
 * Polling is up while good polls keep coming: the last one (a window read and published, a
 * split, or a pass that reached the present) is no older than `staleAfterSeconds`. Down for good
 * when another poller of the operation took over (fenced): this instance stays up to be looked
 * at, and publishes nothing more.
 */
export class PollingHealthIndicator {
  constructor(
    private readonly status: PollerStatus,
    private readonly config: Pick<PollerConfig, 'poll'>,
    private readonly indicators: HealthIndicatorService,
    /** Before the first good poll, staleness counts from when the operation started here. */
    private readonly startedAt: Date = new Date(),
  ) {}

  isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    if (this.status.fenced) {
      return indicator.down({ message: `fenced: ${this.status.fenced}` });
    }
    const limit = staleAfterSeconds(this.config.poll.intervalSeconds);
    const last = this.status.lastGoodPollAt;
    const ageSeconds = Math.round((Date.now() - (last ?? this.startedAt).getTime()) / 1000);
    if (ageSeconds > limit) {
      return indicator.down({
        message: last
          ? `the last good poll was ${ageSeconds} s ago, over the ${limit} s allowed`
          : `no good poll in the ${ageSeconds} s since the poller started (${limit} s allowed)`,
        ...(last ? { lastGoodPollAt: last.toISOString() } : {}),
        consecutiveFailures: this.status.consecutiveFailures,
      });
    }
    return indicator.up({
      ...(last ? { lastGoodPollAt: last.toISOString(), ageSeconds } : {}),
      ...(this.status.lagSeconds !== undefined ? { lagSeconds: this.status.lagSeconds } : {}),
    });
  }
}
