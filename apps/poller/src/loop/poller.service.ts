import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { formatWallTime, wallTimeOf } from '@app/contracts';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { EmailSource } from '../ports/email-source.port.js';
import { EventPublisher } from '../ports/event-publisher.port.js';
import { LeaseBeacon } from '../ports/lease-beacon.port.js';
import { WOLKVOX_RETRY } from '../cycle/call-rules.js';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { PollCycle, StartAtRequiredError } from '../cycle/poll-cycle.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { describeSourceFailure, sourceFailureConsequence } from '../cycle/source-failures.js';
import {
  heartbeatDuringCycleDue,
  heartbeatPeriodMs,
  msUntilIdleHeartbeat,
  stuckAfterMs,
} from '../lease/lease.js';
import { nextDelayMs } from './next-delay.js';
import { PollerStatus } from './poller-status.js';

const TIMER = 'wolkvox-poll-cycle';

/**
 * Runs poll cycles one after another, never two at once: the next cycle is scheduled only when
 * the previous one has finished (a cron or interval from @nestjs/schedule alone would start a
 * cycle while a slow one still runs). The timer lives in the SchedulerRegistry so it is visible
 * and cleared with the application.
 */
@Injectable()
export class PollerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Poller');
  private readonly abort = new AbortController();
  private inFlight: Promise<void> | undefined;
  private inFlightSince = 0;
  private leaseTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The unreadable checkpoint's reason last logged, so it is logged once. */
  private lastUnreadable: string | undefined;
  /** When the next poll is due; ticks before it only renew the lease. */
  private nextPollAt = 0;
  private stopFollowingToken: (() => void) | undefined;
  private lastHeartbeatAt = 0;

  constructor(
    private readonly cycle: PollCycle,
    private readonly status: PollerStatus,
    private readonly source: EmailSource,
    private readonly publisher: EventPublisher,
    private readonly beacon: LeaseBeacon,
    private readonly scheduler: SchedulerRegistry,
    @Inject(POLLER_CONFIG) private readonly config: PollerConfig,
    private readonly reconciler: Reconciler,
  ) {}

  onApplicationBootstrap(): void {
    this.stopFollowingToken = this.config.wolkvox.token.subscribe((event) => {
      if (event.kind === 'changed') this.pollSoonAfterRefusal();
    });
    this.schedule(0);
    // The lease is renewed by every checkpoint and, between polls, by tick(); this covers a
    // cycle that runs longer than a third of the lease (a slow API call and its retries).
    this.leaseTimer = setInterval(() => void this.renewLeaseDuringCycle(), this.heartbeatMs);
    this.leaseTimer.unref();
  }

  private async renewLeaseDuringCycle(): Promise<void> {
    if (!this.inFlight || this.stopped) return;
    const stuck = stuckAfterMs(this.config.wolkvox.callTimeoutMs, WOLKVOX_RETRY);
    if (!heartbeatDuringCycleDue(Date.now() - this.inFlightSince, this.leaseMs, stuck)) return;
    await this.cycle.renewLease();
  }

  /** One cycle now; resolves when it is done. Used by the loop, the CLI and tests. */
  async runOnce(): Promise<CycleOutcome> {
    const started = Date.now();
    const outcome = await this.cycle.run(this.abort.signal);
    const endlessNotFound = this.status.record({
      outcome,
      durationMs: Date.now() - started,
      at: new Date(),
    });
    if (endlessNotFound) {
      const streak = this.status.notFoundStreak!;
      this.logger.warn(
        `Wolkvox answered 404 "Validate dates entered" (no records) for every window from ${formatWallTime(streak.from)} to ${formatWallTime(streak.to)}: if operation ${this.config.wolkvox.server} does send emails, its server may lack report cdr_9 (check WOLKVOX_SERVER and WOLKVOX_BASE_URL)`,
      );
    }
    return outcome;
  }

  /**
   * SIGTERM: no new cycle starts; the one in flight has until the shutdown timeout to finish
   * (its transaction commits whole or not at all), then its API call is aborted and the producer
   * closed. An unfinished transaction is aborted by the broker, or by the next poller's claim.
   */
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.stopped = true;
    this.stopFollowingToken?.();
    this.clearTimer();
    clearInterval(this.leaseTimer);
    if (this.inFlight) {
      this.logger.log(
        `${signal ?? 'shutdown'}: waiting up to ${this.config.shutdownTimeoutMs} ms for the cycle in flight`,
      );
      const timedOut = await Promise.race([
        this.inFlight.then(() => false),
        new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(true), this.config.shutdownTimeoutMs).unref(),
        ),
      ]);
      if (timedOut)
        this.logger.warn('the cycle in flight did not finish in time: abandoning it uncommitted');
    }
    this.abort.abort();
    // Hand the operation over now rather than after the lease lapses.
    if (!this.inFlight) await this.cycle.release();
    await this.reconciler.close();
    await this.beacon.close();
    await this.publisher.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.clearTimer();
    const timer = setTimeout(() => {
      this.scheduler.deleteTimeout(TIMER);
      this.inFlightSince = Date.now();
      // Started on the next microtask, so that inFlight is set before any of tick's code runs: a
      // re-read of the token file inside it may call pollSoonAfterRefusal, which must see it.
      this.inFlight = Promise.resolve()
        .then(() => this.tick())
        .finally(() => (this.inFlight = undefined));
    }, delayMs);
    this.scheduler.addTimeout(TIMER, timer);
  }

  private get leaseMs(): number {
    return this.config.poll.leaseSeconds * 1000;
  }

  private get heartbeatMs(): number {
    return heartbeatPeriodMs(this.leaseMs);
  }

  /**
   * A new token is in WOLKVOX_TOKEN_FILE: after a refusal, poll now rather than at the long
   * retry. A tick in flight picks it up as it ends (see tick).
   */
  private pollSoonAfterRefusal(): void {
    if (this.stopped || this.status.sourceProblem?.failure.kind !== 'token-rejected') return;
    this.nextPollAt = 0;
    if (!this.inFlight) this.schedule(0);
  }

  private async tick(): Promise<void> {
    if (this.nextPollAt > Date.now()) {
      // Between polls the reconciliation pass gets a turn, a window at a time, so the live poll
      // waits at most one of its windows and the two never call the API at once.
      const more = await this.reconcileTurn();
      if (msUntilIdleHeartbeat(this.lastHeartbeatAt, Date.now(), this.leaseMs) === 0) {
        this.lastHeartbeatAt = Date.now();
        await this.cycle.saveCheckpoint();
      }
      // Read after the heartbeat: a new token may have made the poll due meanwhile.
      const untilPoll = this.nextPollAt - Date.now();
      const untilHeartbeat = msUntilIdleHeartbeat(this.lastHeartbeatAt, Date.now(), this.leaseMs);
      this.schedule(more ? 0 : Math.max(0, Math.min(untilPoll, untilHeartbeat)));
      return;
    }
    if (this.status.sourceProblem?.failure.kind === 'token-rejected') {
      // The first call after a refusal: with the token file as it is now, which may hold the
      // same token (tried again after the long wait) or a new one.
      this.config.wolkvox.token.reread();
      this.source.retryToken();
    }
    const tokenVersion = this.config.wolkvox.token.version;
    let outcome: CycleOutcome;
    try {
      outcome = await this.runOnce();
    } catch (error) {
      if (error instanceof StartAtRequiredError) {
        this.status.fatal = error.message;
        this.logger.error(error.message);
        return;
      }
      // A bug, not a condition the cycle knows: keep polling, loudly.
      this.logger.error(`poll cycle crashed: ${(error as Error).stack ?? String(error)}`);
      this.status.consecutiveFailures++;
      this.delayNextPoll(Math.min(60_000, 1000 * 2 ** this.status.consecutiveFailures));
      return;
    }
    // Every cycle writes a heartbeat (in its checkpoint, or in one alone when it published nothing).
    this.lastHeartbeatAt = Date.now();
    this.log(outcome);
    const nowWall = wallTimeOf(new Date(), this.config.wolkvox.timeZone);
    const delay = nextDelayMs(outcome, this.status.consecutiveFailures, nowWall, {
      intervalSeconds: this.config.poll.intervalSeconds,
      maxBackoffSeconds: Math.max(60, this.config.poll.intervalSeconds),
      tokenRetrySeconds: Math.max(900, this.config.poll.intervalSeconds),
    });
    if (delay === null) return;
    const refused = outcome.kind === 'source-failed' && outcome.outcome.kind === 'token-rejected';
    // A token that came while the refused call was in flight is tried at once; any other refused
    // token only after the long wait, since calling with it again only spends budget.
    this.delayNextPoll(refused && this.config.wolkvox.token.version !== tokenVersion ? 0 : delay);
  }

  /**
   * Only the instance holding the operation reconciles: not before its checkpoint is loaded,
   * not on standby, not once fenced, nor while the API refuses it.
   */
  private async reconcileTurn(): Promise<boolean> {
    if (this.stopped || !this.cycle.loaded || this.status.fenced || this.status.sourceProblem)
      return false;
    try {
      return await this.reconciler.step(this.abort.signal);
    } catch (error) {
      this.logger.error(`reconciliation crashed: ${(error as Error).stack ?? String(error)}`);
      return false;
    }
  }

  private delayNextPoll(delayMs: number): void {
    this.nextPollAt = Date.now() + delayMs;
    // A wait before the next poll is the reconciliation's turn; catch-up (no wait) goes first.
    const turn = delayMs > 0 && this.reconciler.enabled;
    this.schedule(turn ? 0 : Math.min(delayMs, this.heartbeatMs));
  }

  private log(outcome: CycleOutcome): void {
    if (outcome.kind !== 'checkpoint-unreadable') this.lastUnreadable = undefined;
    switch (outcome.kind) {
      case 'published': {
        const { window: _w, kind: _k, ...figures } = outcome;
        if (outcome.overflowingSecond) {
          this.logger.error(
            `one second holds ${outcome.fetched} records or more, the API's cut: records beyond it cannot be read (${JSON.stringify(this.cycle.describe())})`,
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
            `the checkpoint of operation ${this.config.wolkvox.server} cannot be read: ${outcome.error.message}; nothing is published until an operator resets it (npm run cli -- checkpoint-reset --to <instant>) or deploys a release that reads it`,
          );
        }
        return;
    }
  }

  private clearTimer(): void {
    if (this.scheduler.doesExist('timeout', TIMER)) this.scheduler.deleteTimeout(TIMER);
  }
}

function windowText(window: { from: number; to: number }): { from: string; to: string } {
  return { from: formatWallTime(window.from), to: formatWallTime(window.to) };
}
