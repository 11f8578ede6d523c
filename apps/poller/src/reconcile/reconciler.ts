import { Logger } from '@nestjs/common';
import { formatWallTime, SECONDS_PER_DAY, wallTimeOf, type WallSeconds } from '@app/contracts';
import { Kafka } from 'kafkajs';
import { Subject } from 'rxjs';
import type { PollerConfig } from '../config/poller-config.js';
import { backfillPublisher, checkpointStoreFor } from '../kafka/kafka-adapters.js';
import type { KafkaTransactionalPublisher } from '../kafka/transactional-publisher.js';
import { cycleSettingsFrom } from '../cycle/cycle-settings.js';
import { PollCycle } from '../cycle/poll-cycle.js';
import { EmailSource } from '../ports/email-source.port.js';
import { requestsInFlightAtMost } from '../cycle/call-rules.js';
import { publishedKeysSince } from './published-keys.js';
import { PASS_OVERRIDES, ReconcilePass, type StepResult } from './reconcile-pass.js';
import {
  decodePassRecord,
  encodePassRecord,
  reconcileKey,
  type PassRecord,
} from './reconcile-record.js';
import {
  budgetAllows,
  estimatedCalls,
  passDue,
  reconcileRange,
  slotOf,
  type LiveNeeds,
  type PassOutcome,
} from './reconcile-schedule.js';

/** What the metrics count: each step's calls and finds, each pass's end. */
export type ReconcileReport =
  { kind: 'step'; calls: number; found: number } | { kind: 'pass'; outcome: PassOutcome };

/**
 * Email timestamps on the topics are when they were published, which is after they were sent;
 * a day more than the range covers a poller or API clock that is off, at a quarter more reading.
 */
const CLOCK_MARGIN_MS = SECONDS_PER_DAY * 1000;

/**
 * The daily reconciliation pass inside the poller: decides when one is due (from what the
 * progress topic remembers of the last), starts it, advances it a window at a time when the
 * poll loop gives it a turn, and records how it ended. The loop calls `step()` only while this
 * instance holds the operation's lease and the live poll is not due, so the two never call the
 * API at once beyond what the client's slots allow, and the live poll always comes first.
 */
export class Reconciler {
  readonly reports = new Subject<ReconcileReport>();
  private readonly logger = new Logger('Reconcile');
  private last: PassRecord | undefined;
  /** The slot current when this process first looked: counts as done without any record. */
  private armedAt: WallSeconds | undefined;
  private running:
    | {
        pass: ReconcilePass;
        publisher: KafkaTransactionalPublisher;
        record: PassRecord;
        calls: number;
      }
    | undefined;
  private readonly live: LiveNeeds;

  constructor(
    private readonly config: PollerConfig,
    private readonly kafka: Kafka,
    private readonly source: EmailSource,
    private readonly cycle: PollCycle,
  ) {
    this.live = {
      intervalSeconds: config.poll.intervalSeconds,
      cycleCalls: requestsInFlightAtMost(config.wolkvox),
    };
  }

  get enabled(): boolean {
    return this.config.poll.reconcile.days > 0;
  }

  /**
   * One turn: start a pass that is due, or read the next window of the one running. True when
   * there is more to do right away (the loop then gives it the next turn too).
   */
  async step(signal?: AbortSignal): Promise<boolean> {
    if (!this.enabled) return false;
    const nowWall = this.nowWall();
    try {
      if (this.armedAt === undefined) {
        this.last = await this.readRecord();
        this.armedAt = slotOf(nowWall, this.config.poll.reconcile.atMinute);
      }
      if (!this.running) {
        const slot = passDue(nowWall, this.config.poll.reconcile, this.last, this.armedAt);
        return slot !== undefined && (await this.begin(slot, nowWall));
      }
    } catch (error) {
      // Kafka away: the next turn tries again; the record says a started pass is unfinished.
      this.logger.warn(`could not start the pass: ${(error as Error).message}`);
      await this.drop();
      return false;
    }
    const budget = budgetAllows(nowWall, this.source.budget(), this.live, this.live.cycleCalls);
    if (budget.kind === 'skip') {
      await this.finish({
        kind: 'ended',
        outcome: 'stopped-budget',
        reason: budget.reason,
        found: 0,
        deadLetters: 0,
        calls: 0,
      });
      return false;
    }
    const result = await this.running.pass.step(signal);
    this.running.calls += result.calls;
    this.reports.next({ kind: 'step', calls: result.calls, found: result.found });
    if (result.kind === 'continue') return true;
    // After a failed publish the runner refuses to read before its retry is due: the live loop's
    // next turn comes at the next poll or heartbeat, not at once.
    if (result.kind === 'wait') return false;
    await this.finish(result);
    return false;
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private async begin(slot: WallSeconds, nowWall: WallSeconds): Promise<boolean> {
    const progress = this.cycle.progress;
    if (!progress) return false;
    const { days } = this.config.poll.reconcile;
    const range = reconcileRange(nowWall, days, progress.settledBefore);
    const record: PassRecord = { slot, startedAt: new Date().toISOString() };
    if (range.kind === 'nothing') {
      this.logger.log(`pass of ${formatWallTime(slot)}: nothing to read (${range.reason})`);
      await this.recordAlone(this.ended(record, 'completed', range.reason));
      this.reports.next({ kind: 'pass', outcome: 'completed' });
      return false;
    }
    Object.assign(record, { from: range.from, last: range.last });
    const settings = cycleSettingsFrom(this.config, PASS_OVERRIDES);
    const { limits } = settings;
    // Before the keys are read, only the 31-day limit is known: a pass of a day's budget at most.
    const early = budgetAllows(
      nowWall,
      this.source.budget(),
      this.live,
      estimatedCalls(range, 0, limits),
    );
    if (early.kind === 'skip') return this.skip(record, early.reason);
    const publisher = this.newPublisher();
    try {
      // Claimed before the topics are read: a pass cut short left its transaction open, and
      // read_committed would stop there; the claim aborts it.
      await publisher.claim();
      await this.write(publisher, record);
      const since = Date.now() - days * SECONDS_PER_DAY * 1000 - CLOCK_MARGIN_MS;
      const started = Date.now();
      const [events, deadLetters] = await Promise.all([
        publishedKeysSince(this.kafka, this.config.topics.events, since),
        publishedKeysSince(this.kafka, this.config.topics.deadLetters, since),
      ]);
      // The keys published since the range began say how dense it is (a little more, with the
      // margin): what the windows are sized by and the calls estimated from. Not the live
      // poll's density: that is of its last pass, minutes of the present.
      const span = range.last - range.from + 1;
      const density = (events.keys.size + deadLetters.keys.size) / span;
      const calls = estimatedCalls(range, density, limits);
      const budget = budgetAllows(nowWall, this.source.budget(), this.live, calls);
      if (budget.kind === 'skip') {
        await publisher.close();
        return this.skip(record, budget.reason);
      }
      const pass = new ReconcilePass({
        range,
        source: this.source,
        publisher,
        published: { events: events.keys, deadLetters: deadLetters.keys },
        density,
        settings,
      });
      this.running = { pass, publisher, record, calls: 0 };
      this.logger.log(
        `pass of ${formatWallTime(record.slot)}: re-reading ${formatWallTime(range.from)} .. ${formatWallTime(range.last)} in about ${calls} calls; ${events.keys.size + deadLetters.keys.size} keys already published (${events.messages + deadLetters.messages} messages, ${events.bytes + deadLetters.bytes} bytes read in ${Date.now() - started} ms)`,
      );
      return true;
    } catch (error) {
      await publisher.close().catch(() => undefined);
      throw error;
    }
  }

  /** Not started: the live poll needs what the budget has left today. */
  private async skip(record: PassRecord, reason: string): Promise<false> {
    this.logger.warn(`pass of ${formatWallTime(record.slot)} skipped: ${reason}`);
    await this.recordAlone(this.ended(record, 'skipped-budget', reason));
    this.reports.next({ kind: 'pass', outcome: 'skipped-budget' });
    return false;
  }

  private async finish(result: Extract<StepResult, { kind: 'ended' }>): Promise<void> {
    const { pass, publisher, record, calls } = this.running!;
    const tally = pass.tally;
    const done = this.ended(record, result.outcome, result.reason, {
      found: tally.events,
      deadLetters: tally.deadLetters,
      alreadyPublished: tally.alreadyPublished,
      calls,
    });
    const line = `pass of ${formatWallTime(record.slot)} ${result.outcome}: ${tally.events} emails found late, ${tally.deadLetters} dead letters, ${tally.alreadyPublished} already published, ${calls} calls${result.reason ? `; ${result.reason}` : ''}`;
    if (result.outcome === 'completed') this.logger.log(line);
    else this.logger.warn(line);
    try {
      await this.write(publisher, done);
    } catch (error) {
      // The pass stays unfinished on the topic: a restart runs it again, publishing nothing twice.
      this.logger.warn(`could not record the end of the pass: ${(error as Error).message}`);
    }
    this.last = done;
    this.reports.next({ kind: 'pass', outcome: result.outcome });
    await this.drop();
  }

  private ended(
    record: PassRecord,
    outcome: PassOutcome,
    reason: string | undefined,
    figures = { found: 0, deadLetters: 0, alreadyPublished: 0, calls: 0 },
  ): PassRecord {
    return {
      ...record,
      finished: {
        outcome,
        at: new Date().toISOString(),
        ...figures,
        ...(reason ? { reason } : {}),
      },
    };
  }

  /** The record of a pass that read nothing, through a publisher of its own. */
  private async recordAlone(record: PassRecord): Promise<void> {
    const publisher = this.newPublisher();
    try {
      await publisher.claim();
      await this.write(publisher, record);
    } finally {
      await publisher.close().catch(() => undefined);
    }
    this.last = record;
  }

  private write(publisher: KafkaTransactionalPublisher, record: PassRecord): Promise<void> {
    return publisher.publishProgress([encodePassRecord(this.config.wolkvox.server, record)]);
  }

  private newPublisher(): KafkaTransactionalPublisher {
    return backfillPublisher(this.kafka, this.config);
  }

  private async drop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.publisher.close().catch(() => undefined);
  }

  private async readRecord(): Promise<PassRecord | undefined> {
    const store = checkpointStoreFor(this.kafka, this.config);
    const latest = await store.latestCommitted();
    return decodePassRecord(latest.get(reconcileKey(this.config.wolkvox.server)));
  }

  private nowWall(): WallSeconds {
    return wallTimeOf(new Date(), this.config.wolkvox.timeZone);
  }
}
