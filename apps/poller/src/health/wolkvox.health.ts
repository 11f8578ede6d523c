import { formatWallTime } from '@app/contracts';
import type { HealthIndicatorService } from '@nestjs/terminus';
import type { PollerConfig } from '../config/poller-config.js';
import type { EmailSource } from '../ports/email-source.port.js';
import type { PollerStatus } from '../loop/poller-status.js';
import { NOT_FOUND_WARN_SECONDS, streakSeconds } from '../loop/not-found-streak.js';
import { sourceReadiness } from '../cycle/source-failures.js';

/**
 * The Wolkvox API as the poller last found it. Down when no retry can help until something
 * changes: the token was refused, the day's request budget is spent, or the API rejects the
 * request as malformed (wrong server, base URL or token). An API that fails transiently
 * (5xx, maintenance, too many simultaneous requests) is only `degraded`: the poller retries with
 * backoff on its own, and should the outage last, the polling indicator goes down with it.
 */
export class WolkvoxHealthIndicator {
  constructor(
    private readonly status: PollerStatus,
    private readonly source: Pick<EmailSource, 'budget'>,
    private readonly indicators: HealthIndicatorService,
    private readonly config: Pick<PollerConfig, 'wolkvox'>,
  ) {}

  isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const budget = this.source.budget();
    const budgetView = {
      day: budget.day,
      used: budget.used,
      ...(budget.limit !== undefined ? { limit: budget.limit, remaining: budget.remaining } : {}),
    };
    const problem = this.status.sourceProblem;
    if (problem) {
      const { status, message, showsBudget } = sourceReadiness(
        problem.failure,
        this.config.wolkvox.token,
      );
      const details = {
        message,
        since: problem.since.toISOString(),
        ...(showsBudget ? { budget: budgetView } : {}),
      };
      return status === 'down' ? indicator.down(details) : indicator.degraded(details);
    }
    if (budget.remaining === 0) {
      return indicator.down({
        message: `the daily request budget (WOLKVOX_DAILY_QUOTA) is spent for ${budget.day}`,
        budget: budgetView,
      });
    }
    const streak = this.status.notFoundStreak;
    if (streakSeconds(streak) >= NOT_FOUND_WARN_SECONDS) {
      return indicator.degraded({
        message: `every window since ${formatWallTime(streak!.from)} answered 404 (no records): the server may lack report cdr_9`,
        budget: budgetView,
      });
    }
    return indicator.up({ budget: budgetView });
  }
}
