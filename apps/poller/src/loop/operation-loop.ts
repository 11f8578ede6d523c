import { Logger } from '@nestjs/common';
import { wallTimeOf } from '@app/contracts';
import type { RotatingSecret } from '../config/rotating-secret.js';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { StartAtRequiredError } from '../cycle/poll-cycle.js';
import { heartbeatDuringCycleDue, heartbeatPeriodMs } from '../lease/lease.js';
import { CycleLog } from './cycle-log.js';
import {
  afterCrash,
  afterOutcome,
  crashBackoffMs,
  idleHeartbeatDue,
  INITIAL_LOOP_STATE,
  pollDue,
  pollNowForNewToken,
  pollWaitMs,
  reconcileTurnDue,
  sleepAfterPollMs,
  sleepBetweenPollsMs,
  tokenRereadDue,
  type LoopState,
} from './loop-decisions.js';
import { nextDelayMs } from './next-delay.js';
import type { PollerStatus } from './poller-status.js';

/** The parts of a PollCycle the loop drives. */
export interface LoopCycle {
  readonly loaded: boolean;
  run(signal?: AbortSignal): Promise<CycleOutcome>;
  saveCheckpoint(): Promise<void>;
  renewLease(): Promise<void>;
  describe(): unknown;
}

/** The reconciliation as the loop gives it turns. */
export interface LoopReconciler {
  readonly enabled: boolean;
  /** One turn; true when it has more to read right away. */
  step(signal?: AbortSignal): Promise<boolean>;
}

export interface LoopSettings {
  server: string;
  timeZone: string;
  intervalSeconds: number;
  leaseSeconds: number;
  shutdownTimeoutMs: number;
  /** After this long a cycle in flight stops renewing the lease (lease.ts `stuckAfterMs`). */
  stuckAfterMs: number;
}

/**
 * One operation's poll loop, written as a loop: take a turn, sleep, again, until stopped. A turn
 * polls when the poll is due, or else gives the reconciliation its turn and keeps the lease; the
 * lease is also renewed while a long turn runs. One timer at a time (the sleep, or the renewal
 * wait during a turn), never two turns at once, and every decision is a pure function of
 * loop-decisions.ts. The loop reports to `status` (what health and metrics read) and decides by
 * its own state only.
 */
export class OperationLoop {
  private readonly logger = new Logger('Poller');
  private readonly cycleLog: CycleLog;
  private readonly abort = new AbortController();
  private state: LoopState = INITIAL_LOOP_STATE;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** The turn in flight, and when it started (the lease is renewed while it runs long). */
  private turn: Promise<unknown> | undefined;
  private turnStartedAt = 0;
  /** Ends the current sleep early (a new token after a refusal, a stop). */
  private wake: (() => void) | undefined;
  private stopFollowingToken: (() => void) | undefined;

  constructor(
    private readonly cycle: LoopCycle,
    private readonly reconciler: LoopReconciler,
    private readonly status: PollerStatus,
    private readonly token: RotatingSecret,
    /** Clears the client's memory of a refused token before the call with a re-read one. */
    private readonly retryToken: () => void,
    private readonly settings: LoopSettings,
  ) {
    this.cycleLog = new CycleLog(settings.server, () => cycle.describe());
  }

  start(): void {
    this.stopFollowingToken = this.token.subscribe((event) => {
      if (event.kind === 'changed') this.pollSoonForNewToken();
    });
    this.running = this.loop();
  }

  /**
   * No new turn starts; the one in flight has until the shutdown timeout to finish (a cycle's
   * transaction commits whole or not at all), then its API call is aborted. True when nothing
   * was left in flight (the lease may then be released at once).
   */
  async stop(signal?: string): Promise<boolean> {
    this.stopped = true;
    this.stopFollowingToken?.();
    this.wake?.();
    let drained = true;
    if (this.turn) {
      this.logger.log(
        `${signal ?? 'shutdown'}: waiting up to ${this.settings.shutdownTimeoutMs} ms for the cycle in flight`,
      );
      drained = await settlesWithin(this.turn, this.settings.shutdownTimeoutMs);
      if (!drained)
        this.logger.warn('the cycle in flight did not finish in time: abandoning it uncommitted');
    }
    this.abort.abort();
    if (drained) await this.running;
    return drained;
  }

  private get leaseMs(): number {
    return this.settings.leaseSeconds * 1000;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.turnStartedAt = Date.now();
      const turn = this.takeTurn();
      this.turn = turn;
      const sleep = await this.renewingLeaseWhile(turn);
      this.turn = undefined;
      if (sleep === null || this.stopped) return;
      await this.sleep(sleep);
    }
  }

  /** One turn: the poll when it is due, else what waits between polls. The sleep after it. */
  private takeTurn(): Promise<number | null> {
    return pollDue(this.state, Date.now()) ? this.poll() : this.betweenPolls();
  }

  /**
   * The lease is renewed by every checkpoint and, between polls, by the idle heartbeat; this
   * covers a turn that runs longer than a third of the lease (a slow API call and its retries,
   * a reconciliation window), but not one stuck past `stuckAfterMs`.
   */
  private async renewingLeaseWhile<T>(turn: Promise<T>): Promise<T> {
    const period = heartbeatPeriodMs(this.leaseMs);
    while (!(await settlesWithin(turn, period))) {
      const runningMs = Date.now() - this.turnStartedAt;
      if (
        !this.stopped &&
        heartbeatDuringCycleDue(runningMs, this.leaseMs, this.settings.stuckAfterMs)
      )
        await this.cycle.renewLease();
    }
    return turn;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }

  /** A new token is in the file: after a refusal, poll now rather than at the long retry. */
  private pollSoonForNewToken(): void {
    if (this.stopped || !pollNowForNewToken(this.state)) return;
    this.state = { ...this.state, nextPollAt: 0 };
    // Asleep: wake now. In a turn: the turn's end sees the token (see pollWaitMs).
    this.wake?.();
  }

  private async poll(): Promise<number | null> {
    if (tokenRereadDue(this.state)) {
      // The first call after a refusal: with the token file as it is now, which may hold the
      // same token (tried again after the long wait) or a new one.
      this.token.reread();
      this.retryToken();
    }
    const tokenVersion = this.token.version;
    const started = Date.now();
    let outcome: CycleOutcome;
    try {
      outcome = await this.cycle.run(this.abort.signal);
    } catch (error) {
      if (error instanceof StartAtRequiredError) {
        this.state = { ...this.state, halted: true };
        this.status.fatal = error.message;
        this.logger.error(error.message);
        return null;
      }
      // A bug, not a condition the cycle knows: keep polling, loudly.
      this.logger.error(`poll cycle crashed: ${(error as Error).stack ?? String(error)}`);
      this.state = afterCrash(this.state);
      this.status.consecutiveFailures = this.state.failures;
      return this.waitForPoll(crashBackoffMs(this.state.failures));
    }
    const endlessNotFound = this.status.record({
      outcome,
      durationMs: Date.now() - started,
      at: new Date(),
    });
    if (endlessNotFound) this.cycleLog.notFoundStreak(this.status.notFoundStreak!);
    // Every cycle writes a heartbeat (in its checkpoint, or in one alone when it published nothing).
    this.state = { ...afterOutcome(this.state, outcome), lastHeartbeatAt: Date.now() };
    this.cycleLog.outcome(outcome);
    const nowWall = wallTimeOf(new Date(), this.settings.timeZone);
    const { intervalSeconds } = this.settings;
    const delay = nextDelayMs(outcome, this.state.failures, nowWall, {
      intervalSeconds,
      maxBackoffSeconds: Math.max(60, intervalSeconds),
      tokenRetrySeconds: Math.max(900, intervalSeconds),
    });
    if (delay === null) {
      this.state = { ...this.state, halted: true };
      return null;
    }
    return this.waitForPoll(pollWaitMs(outcome, delay, this.token.version !== tokenVersion));
  }

  private waitForPoll(waitMs: number): number {
    this.state = { ...this.state, nextPollAt: Date.now() + waitMs };
    return sleepAfterPollMs(waitMs, {
      leaseMs: this.leaseMs,
      reconcileEnabled: this.reconciler.enabled,
    });
  }

  /**
   * Between polls the reconciliation pass gets a turn, a window at a time, so the live poll waits
   * at most one of its windows and the two never call the API at once; then the heartbeat.
   */
  private async betweenPolls(): Promise<number> {
    let more = false;
    const view = { reconcileEnabled: this.reconciler.enabled, loaded: this.cycle.loaded };
    if (!this.stopped && reconcileTurnDue(this.state, view)) {
      try {
        more = await this.reconciler.step(this.abort.signal);
      } catch (error) {
        this.logger.error(`reconciliation crashed: ${(error as Error).stack ?? String(error)}`);
      }
    }
    if (idleHeartbeatDue(this.state, Date.now(), this.leaseMs)) {
      this.state = { ...this.state, lastHeartbeatAt: Date.now() };
      await this.cycle.saveCheckpoint();
    }
    // Read after the heartbeat: a new token may have made the poll due meanwhile.
    return sleepBetweenPollsMs(this.state, Date.now(), {
      leaseMs: this.leaseMs,
      reconcileMore: more,
    });
  }
}

/** Whether `work` settles within `ms` (its failure counts as settled: its owner sees it). */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
