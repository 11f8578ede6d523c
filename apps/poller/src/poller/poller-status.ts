import { Injectable } from '@nestjs/common';
import { formatWallTime } from '@app/contracts';
import { Subject } from 'rxjs';
import type { CycleOutcome } from '../poll/poll-cycle.js';
import { nextStreak, type NotFoundStreak } from './not-found-streak.js';

/** One finished cycle, for metrics and logs. */
export interface CycleReport {
  outcome: CycleOutcome;
  durationMs: number;
  at: Date;
}

export type SourceProblem =
  | { kind: 'token-rejected'; since: Date }
  /** `until`: the operation's next local midnight, as its wall clock shows it. */
  | { kind: 'budget-exhausted'; since: Date; untilLocal: string }
  | { kind: 'misconfigured'; since: Date; status: number }
  | { kind: 'unavailable'; since: Date; lastError: string };

/**
 * What the poller is doing, in one place: the health indicators read it, the metrics and the
 * log subscribe to `cycles`. Only the poll loop writes it. Holds no secret.
 */
@Injectable()
export class PollerStatus {
  readonly cycles = new Subject<CycleReport>();
  lastGoodPollAt: Date | undefined;
  lastOutcome: CycleReport | undefined;
  lagSeconds: number | undefined;
  sourceProblem: SourceProblem | undefined;
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
        const o = outcome.outcome;
        const since = this.sourceProblem?.kind === o.kind ? this.sourceProblem.since : at;
        if (o.kind === 'token-rejected') this.sourceProblem = { kind: 'token-rejected', since };
        else if (o.kind === 'budget-exhausted')
          this.sourceProblem = {
            kind: 'budget-exhausted',
            since,
            untilLocal: formatWallTime(o.resetsAt),
          };
        else if (o.kind === 'misconfigured')
          this.sourceProblem = { kind: 'misconfigured', since, status: o.status };
        else if (o.kind === 'unavailable')
          this.sourceProblem = { kind: 'unavailable', since, lastError: o.lastError };
        else
          this.sourceProblem = {
            kind: 'unavailable',
            since,
            lastError: 'the API timed out on a single second',
          };
        break;
      }
    }
    this.cycles.next(report);
    return streak.reachedThreshold;
  }
}
