import { Inject, Injectable } from '@nestjs/common';
import { formatWallTime } from '@app/contracts';
import { HealthIndicatorService } from '@nestjs/terminus';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import type { RotatingSecret } from '../config/rotating-secret.js';
import { EmailSource } from '../ports/email-source.port.js';
import { PollerStatus } from '../poller/poller-status.js';
import { NOT_FOUND_WARN_SECONDS, streakSeconds } from '../poller/not-found-streak.js';

/**
 * The Wolkvox API as the poller last found it. Down when no retry can help until something
 * changes: the token was refused, the day's request budget is spent, or the API rejects the
 * request as malformed (wrong server, base URL or token). An API that fails transiently
 * (5xx, maintenance, too many simultaneous requests) is only `degraded`: the poller retries with
 * backoff on its own, and should the outage last, the polling indicator goes down with it.
 */
@Injectable()
export class WolkvoxHealthIndicator {
  constructor(
    private readonly status: PollerStatus,
    private readonly source: EmailSource,
    private readonly indicators: HealthIndicatorService,
    @Inject(POLLER_CONFIG) private readonly config: Pick<PollerConfig, 'wolkvox'>,
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
    switch (problem?.kind) {
      case 'token-rejected':
        return indicator.down({
          message: tokenRefusedMessage(this.config.wolkvox.token),
          since: problem.since.toISOString(),
        });
      case 'budget-exhausted':
        return indicator.down({
          message: `the daily request budget is spent: calls resume at ${problem.untilLocal} (operation's local time)`,
          since: problem.since.toISOString(),
          budget: budgetView,
        });
      case 'misconfigured':
        return indicator.down({
          message: `Wolkvox answered HTTP ${problem.status}: check WOLKVOX_SERVER, WOLKVOX_BASE_URL and the token`,
          since: problem.since.toISOString(),
        });
      case 'unavailable':
        return indicator.degraded({
          message: `the API is unavailable (${problem.lastError}); retrying with backoff`,
          since: problem.since.toISOString(),
        });
      case undefined:
        break;
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

/** What an operator can do about a refused token depends on how it was given. */
export function tokenRefusedMessage(token: RotatingSecret): string {
  const refused =
    'Wolkvox refused the token (403 PLEASE VALIDATE TOKEN): no call is made until it is tried again';
  if (token.path === undefined) {
    return `${refused}; WOLKVOX_TOKEN cannot change while the poller runs: set the new token and restart, or give it as WOLKVOX_TOKEN_FILE`;
  }
  const problem = token.problem ? ` (the last read failed: ${token.problem})` : '';
  return `${refused}; put the new token in ${token.path} (WOLKVOX_TOKEN_FILE): it is read again every few seconds and polling resumes with it${problem}`;
}
