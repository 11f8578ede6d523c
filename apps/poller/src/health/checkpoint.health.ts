import type { HealthIndicatorService } from '@nestjs/terminus';
import type { PollCycle } from '../cycle/poll-cycle.js';
import type { PollerStatus } from '../loop/poller-status.js';

/**
 * The checkpoint is up once the operation's progress has been read back from the progress topic
 * (or started from POLL_START_AT on the very first run). Until then the poller does not know
 * where it stands and publishes nothing; after a failed publish it reads it again. A standby
 * instance (another poller holds the operation's lease) never loads it, and says so.
 */
export class CheckpointHealthIndicator {
  constructor(
    private readonly cycle: Pick<PollCycle, 'describe'>,
    private readonly status: PollerStatus,
    private readonly indicators: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    if (this.status.fatal) return indicator.down({ message: this.status.fatal });
    const position = this.cycle.describe();
    const last = this.status.lastOutcome?.outcome;
    if (!position && last?.kind === 'standby') {
      return indicator.down({
        message: `standby: ${last.owner.id} holds the operation (last heartbeat ${last.owner.heartbeatAt}); this instance takes over when that lease lapses`,
      });
    }
    const unreadable = this.status.checkpointProblem;
    if (!position && unreadable) {
      return indicator.down({
        message: `the checkpoint cannot be read: ${unreadable.error}; nothing is published until it is reset (cli checkpoint-reset) or a release that reads it runs`,
        since: unreadable.since.toISOString(),
      });
    }
    if (!position) {
      return indicator.down({
        message: this.status.kafkaProblem
          ? 'the checkpoint is read again after a failed publish'
          : 'the checkpoint has not been loaded from Kafka yet',
      });
    }
    // Wall times on the operation's clock, as the checkpoint stores them.
    return indicator.up(position);
  }
}
