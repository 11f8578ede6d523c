import { Logger } from '@nestjs/common';
import { formatWallTime } from '@app/contracts';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { describeSourceFailure, sourceFailureConsequence } from '../cycle/source-failures.js';
import type { NotFoundStreak } from './not-found-streak.js';

/** The log lines of the operation's cycles: one per outcome, an unreadable checkpoint once. */
export class CycleLog {
  private readonly logger = new Logger('Poller');
  /** The unreadable checkpoint's reason last logged, so it is logged once. */
  private lastUnreadable: string | undefined;

  constructor(
    private readonly server: string,
    /** Where the cycle stands, for the line about a second that overflows the API's cut. */
    private readonly position: () => unknown,
  ) {}

  notFoundStreak(streak: NotFoundStreak): void {
    this.logger.warn(
      `Wolkvox answered 404 "Validate dates entered" (no records) for every window from ${formatWallTime(streak.from)} to ${formatWallTime(streak.to)}: if operation ${this.server} does send emails, its server may lack report cdr_9 (check WOLKVOX_SERVER and WOLKVOX_BASE_URL)`,
    );
  }

  outcome(outcome: CycleOutcome): void {
    if (outcome.kind !== 'checkpoint-unreadable') this.lastUnreadable = undefined;
    switch (outcome.kind) {
      case 'published': {
        const { window: _w, kind: _k, ...figures } = outcome;
        if (outcome.overflowingSecond) {
          this.logger.error(
            `one second holds ${outcome.fetched} records or more, the API's cut: records beyond it cannot be read (${JSON.stringify(this.position())})`,
          );
        }
        this.logger.log(
          `published window ${JSON.stringify(windowText(outcome.window))} ${JSON.stringify(figures)}`,
        );
        break;
      }
      case 'split':
        this.logger.log(
          `window ${JSON.stringify(windowText(outcome.window))} ${outcome.reason}: reading ${JSON.stringify(windowText(outcome.retry))} first`,
        );
        break;
      case 'read-whole':
        this.logger.warn(
          `window ${JSON.stringify(windowText(outcome.window))}: records identical in the six key fields differ in others, so their occurrence numbers depend on all of them; reading the window again, held whole`,
        );
        break;
      case 'caught-up':
        this.logger.debug(`caught up; lag ${outcome.lagSeconds}s`);
        break;
      case 'source-failed': {
        const consequence = sourceFailureConsequence(outcome.outcome);
        this.logger.warn(
          `Wolkvox: ${describeSourceFailure(outcome.outcome)}; progress not moved${consequence ? `, ${consequence}` : ''}`,
        );
        break;
      }
      case 'publish-failed':
        this.logger.warn(
          `Kafka: ${outcome.error.message}; nothing published, the window will be read again`,
        );
        break;
      case 'fenced':
        this.logger.error(
          `${outcome.error.message}: polling stopped, this instance stays up but not ready`,
        );
        break;
      case 'checkpoint-unreadable':
        // One line when it starts (or its reason changes), not one per look.
        if (this.lastUnreadable !== outcome.error.message) {
          this.lastUnreadable = outcome.error.message;
          this.logger.error(
            `the checkpoint of operation ${this.server} cannot be read: ${outcome.error.message}; nothing is published until an operator resets it (npm run cli -- checkpoint-reset --to <instant>) or deploys a release that reads it`,
          );
        }
        return;
    }
  }
}

function windowText(window: { from: number; to: number }): { from: string; to: string } {
  return { from: formatWallTime(window.from), to: formatWallTime(window.to) };
}
