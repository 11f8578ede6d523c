import type { SourceFailure } from '@app/wolkvox-client';
import { Subject } from 'rxjs';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { nextStreak, type NotFoundStreak } from './not-found-streak.js';

/** One finished cycle, for metrics and logs. */
export interface CycleReport {
  outcome: CycleOutcome;
  durationMs: number;
  at: Date;
}

/**
 * What the poller is doing, in one place: the health indicators read it, the metrics and the
 * log subscribe to `cycles`. Only the operation's loop writes it, and never decides by it (it keeps
 * its own state, loop-decisions.ts). Holds no secret.
 */
export class PollerStatus {
  readonly cycles = new Subject<CycleReport>();
  lastGoodPollAt: Date | undefined;
  lastOutcome: CycleReport | undefined;
  lagSeconds: number | undefined;
  /** The API's last failure, and since when it has failed that way. */
  sourceProblem: { failure: SourceFailure; since: Date } | undefined;
  kafkaProblem: { since: Date; error: string } | undefined;
  /** The checkpoint on the progress topic cannot be read: why, and since when. */
  checkpointProblem: { since: Date; error: string } | undefined;
  fenced: string | undefined;
  /** Another live instance holds the operation's lease; this one waits and reads nothing. */
  standby: { owner: string; since: Date } | undefined;
  /** Set when the poller cannot start (e.g. no checkpoint and no POLL_START_AT). */
  fatal: string | undefined;
  consecutiveFailures = 0;
  /** Dates of the unbroken run of windows that answered only 404 (see not-found-streak.ts). */
  notFoundStreak: NotFoundStreak | undefined;

  /** Records a cycle; true when the 404 streak just reached the warning threshold. */
  record(report: CycleReport): boolean {
    const { outcome, at } = report;
    const streak = nextStreak(this.notFoundStreak, outcome);
    this.notFoundStreak = streak.streak;
    this.lastOutcome = report;
    switch (outcome.kind) {
      case 'published':
      case 'caught-up':
      case 'split':
        this.standby = undefined;
        this.lastGoodPollAt = at;
        this.sourceProblem = undefined;
        this.kafkaProblem = undefined;
        this.checkpointProblem = undefined;
        this.consecutiveFailures = 0;
        if (outcome.kind !== 'split') this.lagSeconds = outcome.lagSeconds;
        break;
      case 'publish-failed':
        this.kafkaProblem = { since: this.kafkaProblem?.since ?? at, error: outcome.error.message };
        this.consecutiveFailures++;
        break;
      case 'checkpoint-unreadable':
        this.checkpointProblem = {
          since: this.checkpointProblem?.since ?? at,
          error: outcome.error.message,
        };
        break;
      case 'fenced':
        this.fenced = outcome.error.message;
        this.standby = undefined;
        break;
      case 'standby':
        this.standby = { owner: outcome.owner.id, since: this.standby?.since ?? at };
        break;
      case 'source-failed': {
        this.consecutiveFailures++;
        const failure = outcome.outcome;
        const previous = this.sourceProblem;
        const since = previous?.failure.kind === failure.kind ? previous.since : at;
        this.sourceProblem = { failure, since };
        break;
      }
    }
    this.cycles.next(report);
    return streak.reachedThreshold;
  }
}
