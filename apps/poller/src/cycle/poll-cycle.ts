import { formatWallTime, wallTimeOf, type WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';
import {
  callsMayRunUntilMs,
  DEFAULT_LEASE_MS,
  heartbeat,
  LeaseHeldError,
  released,
  standbyMs,
  type Owner,
} from '../lease/lease.js';
import {
  CheckpointStore,
  CorruptCheckpointError,
  type Checkpoint,
  type Progress,
  type SweepState,
} from '../ports/checkpoint-store.port.js';
import { EmailSource, type SourceOutcome } from '../ports/email-source.port.js';
import { EventPublisher, FencedError } from '../ports/event-publisher.port.js';
import type { LeaseBeacon } from '../ports/lease-beacon.port.js';
import {
  callWindowFor,
  provenBounds,
  UNPROVEN_BOUNDS,
  type InclusiveBounds,
} from './call-bounds.js';
import { Sweep } from './sweep.js';
import { advance, initialProgress } from './progress.js';
import {
  splitTimedOut,
  splitTruncated,
  WOLKVOX_LIMITS,
  type SplitDecision,
} from './window-planner.js';
import type { CycleOutcome } from './cycle-outcome.js';
import type { PollCycleSettings } from './cycle-settings.js';
import { WindowWriter } from './window-writer.js';

export class StartAtRequiredError extends Error {
  override readonly name = 'StartAtRequiredError';
}

/** A read that went through: what the cycle goes on with (the client's outcome). */
type RecordsRead = Extract<SourceOutcome, { kind: 'records' }>;

/**
 * One poll cycle, the way Kafka Connect's source task polls: one call of `run()` reads one
 * window, so catch-up is a run of cycles back to back and a crash loses at most the window in
 * flight. Decisions are pure functions (window-planner, call-bounds, progress, event-mapping,
 * lease); the sweep between cycles is `Sweep`; this class only sequences them around the ports.
 */
export class PollCycle {
  private checkpoint: Checkpoint | undefined;
  private readonly sweep: Sweep;
  private fenced: FencedError | undefined;
  /** What responses have proven of the API's bounds: decides how wide calls are. */
  private bounds: InclusiveBounds = UNPROVEN_BOUNDS;
  private readonly clock: () => Date;
  private readonly instanceId: string;
  private readonly leaseMs: number;
  /** When this cycle first claimed the operation: its own heartbeats are the ones since. */
  private holdingSinceMs: number | undefined;

  constructor(
    private readonly source: EmailSource,
    private readonly publisher: EventPublisher,
    private readonly store: CheckpointStore,
    private readonly settings: PollCycleSettings,
    /** Sends heartbeats while a cycle runs; none for a run that takes no lease (backfill). */
    private readonly beacon?: LeaseBeacon,
  ) {
    this.sweep = new Sweep(settings.limits ?? WOLKVOX_LIMITS);
    this.clock = settings.clock ?? (() => new Date());
    this.instanceId = settings.instanceId ?? 'poller';
    this.leaseMs = settings.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async run(signal?: AbortSignal): Promise<CycleOutcome> {
    // 1. Hold the operation and its progress (after a start, a failed publish, or a takeover).
    const notHeld = await this.hold();
    if (notHeld) return notHeld;
    const progress = this.checkpoint!.progress;
    const now = this.clock();
    // 2. Plan the window: a retry piece, or the next window of the sweep.
    const window = this.sweep.next(progress.settledBefore, this.present(now));
    if (!window) return this.caughtUp(progress, now);
    // 3. Read it: each record is validated, mapped, checked against the keys already published
    // and sent in one open transaction as the response streams in.
    const writer = this.writerFor(window, progress, now);
    const read = await this.read(window, writer, signal);
    if (read.kind !== 'records') return read;
    // 4. A response that may be cut, or whose records must be numbered together: read again.
    const again = await this.readAgain(window, writer, read);
    if (again) return again;
    // 5. Commit what was sent with the next checkpoint, in the same transaction.
    return this.commit(window, writer, read, progress, now);
  }

  /**
   * Writes the checkpoint alone: the same positions, today's budget, the sweep, and a heartbeat.
   * The loop calls it between polls, so a newcomer keeps waiting while this poller is alive but
   * idle; the cycle calls it after spending calls that published nothing, so a restart does not
   * forget them. Best effort: on failure a later checkpoint carries both, and progress is
   * reloaded before the next publish. Does nothing before the first load.
   */
  async saveCheckpoint(): Promise<void> {
    if (!this.checkpoint || this.fenced) return;
    try {
      await this.saveAlone(this.checkpoint.progress, this.heartbeat());
    } catch (error) {
      if (error instanceof FencedError) this.fenced = error;
      this.checkpoint = undefined;
    }
  }

  /**
   * Sends a heartbeat without a checkpoint, while a cycle runs longer than a heartbeat period
   * (the loop calls it). Only while this instance holds the operation: not before its first
   * load, not on standby, not once fenced. Best effort.
   */
  async renewLease(): Promise<void> {
    if (!this.checkpoint || this.fenced || !this.beacon) return;
    await this.beacon.renew(this.heartbeat()).catch(() => undefined);
  }

  /**
   * Gives the lease up on a clean shutdown, so a standby poller takes over at its next look
   * instead of waiting for the lease to lapse. Best effort.
   */
  async release(): Promise<void> {
    if (!this.checkpoint || this.fenced) return;
    await this.saveAlone(this.checkpoint.progress, released(this.instanceId)).catch(
      () => undefined, // the lease lapses by itself
    );
  }

  /** Records per second the sweep sizes its windows by, once learnt. */
  get density(): number | undefined {
    return this.sweep.density;
  }

  /** The committed progress, once loaded. */
  get progress(): Progress | undefined {
    return this.checkpoint?.progress;
  }

  get loaded(): boolean {
    return this.checkpoint !== undefined;
  }

  /** Where the committed progress stands, for logs and the CLI. */
  describe(): { cursor: string; settledBefore: string; seenKeys: number } | undefined {
    const p = this.checkpoint?.progress;
    return (
      p && {
        cursor: formatWallTime(p.cursor),
        settledBefore: formatWallTime(p.settledBefore),
        seenKeys: p.seen.size,
      }
    );
  }

  /**
   * Claims the operation (fencing any rival) and loads its progress from Kafka. Runs before the
   * first cycle and again after any failed publish, since a rival may have moved progress.
   *
   * Fencing makes a second poller safe but would let every newcomer take over from a healthy
   * poller. So a newcomer first looks at the lease: while another instance holds it, it stays on
   * standby (LeaseHeldError) and claims nothing. Two pollers that look at the same moment may
   * both claim; fencing then stops the earlier one.
   */
  async load(): Promise<Progress> {
    this.checkpoint = undefined;
    await this.publisher.prepare();
    const owner = await this.store.peekOwner();
    const retryInMs = standbyMs(owner, this.instanceId, this.clock(), this.leaseMs);
    if (retryInMs !== undefined) throw new LeaseHeldError(owner!, retryInMs);
    const holdingSinceMs = (this.holdingSinceMs ??= this.clock().getTime());
    await this.publisher.claim();
    const stored = await this.store.load();
    // Holding the operation now, the lease says so at once: until this instance's first
    // checkpoint it would still say released (or name the owner before), and a second newcomer
    // looking then would claim too and fence this one (seen in a fleet's rolling restart, two
    // rebalances a second apart). Not before the load: a poller that cannot read its checkpoint
    // holds nothing, and must not keep the CLI's reset waiting.
    await this.beacon?.renew(this.heartbeat()).catch(() => undefined);
    // A previous holder that did not release the lease may have left calls running (not this
    // one, loading again after a failed publish: its client keeps its own).
    const callsUntil =
      stored &&
      callsMayRunUntilMs(stored.owner, this.leaseMs, this.settings.abandonedCallMs, {
        id: this.instanceId,
        sinceMs: holdingSinceMs,
      });
    if (callsUntil) this.source.assumeCallsInFlightUntil(callsUntil);
    const progress = stored?.progress ?? this.firstProgress();
    this.checkpoint = { progress };
    if (progress.budget)
      this.source.restoreBudget(
        progress.budget.day,
        progress.budget.used + this.settings.unrecordedCallAllowance,
      );
    this.sweep.resume(progress, stored?.sweep, this.present(this.clock()));
    return progress;
  }

  /** Step 1: undefined when this instance holds the operation with its progress loaded. */
  private async hold(): Promise<CycleOutcome | undefined> {
    if (this.fenced) return { kind: 'fenced', error: this.fenced };
    if (this.checkpoint) return undefined;
    try {
      await this.load();
      return undefined;
    } catch (error) {
      if (error instanceof LeaseHeldError)
        return { kind: 'standby', owner: error.owner, retryInMs: error.retryInMs };
      if (error instanceof FencedError) {
        this.fenced = error;
        return { kind: 'fenced', error };
      }
      if (error instanceof StartAtRequiredError) throw error;
      if (error instanceof CorruptCheckpointError) return { kind: 'checkpoint-unreadable', error };
      return { kind: 'publish-failed', window: undefined, error: asError(error) };
    }
  }

  private firstProgress(): Progress {
    const startAt = this.settings.startAt;
    if (!startAt) {
      throw new StartAtRequiredError(
        'no checkpoint exists for this operation: POLL_START_AT is required on the first run',
      );
    }
    return initialProgress(wallTimeOf(startAt, this.settings.operation.timeZone));
  }

  /** The sweep reached the present: how far the present moved on since it started. */
  private caughtUp(progress: Progress, now: Date): CycleOutcome {
    // The loop runs the next sweep at once when that is more than an interval (catch-up).
    return { kind: 'caught-up', lagSeconds: Math.max(0, this.present(now) + 1 - progress.cursor) };
  }

  private writerFor(window: WallWindow, progress: Progress, now: Date): WindowWriter {
    return new WindowWriter(this.publisher, {
      window,
      operation: this.settings.operation,
      maxEventBytes: this.publisher.maxEventBytes(),
      maxDeadLetterBytes: this.publisher.maxDeadLetterBytes(),
      detectedAt: now,
      seen: progress.seen,
      mode: this.sweep.readWhole ? 'whole' : 'stream',
    });
  }

  /** Step 3: the records read, or why the window was not (nothing of it commits then). */
  private async read(
    window: WallWindow,
    writer: WindowWriter,
    signal: AbortSignal | undefined,
  ): Promise<RecordsRead | CycleOutcome> {
    // A second more on each side the API has not proven inclusive (call-bounds.ts).
    const call = callWindowFor(window, this.bounds);
    let outcome: SourceOutcome;
    try {
      outcome = await this.source.streamWindow(call, writer, signal);
    } catch (error) {
      // The sink's own failure (Kafka), or the caller aborting.
      await writer.abort();
      if (signal?.aborted) throw error;
      return this.publishFailed(window, error);
    }
    this.bounds = provenBounds(call, writer.recordWalls, this.bounds);
    if (outcome.kind === 'records') return outcome;
    await writer.abort();
    const halved = outcome.kind === 'timed-out' ? splitTimedOut(window) : undefined;
    if (halved?.kind === 'retry') return this.split(window, halved, 'timed-out');
    // A single second that timed out cannot be read within the API's limit: try it later.
    await this.saveCheckpoint();
    return { kind: 'source-failed', window, outcome };
  }

  /**
   * Step 4: a cut response is read again in a smaller window; identical records that differ
   * outside the six fields are numbered by the order of all of them, so their window is read
   * again held whole. What was sent is aborted, never seen by a read_committed subscriber.
   * Undefined when the window is to be committed (a cut single second is, as it is).
   */
  private async readAgain(
    window: WallWindow,
    writer: WindowWriter,
    read: RecordsRead,
  ): Promise<CycleOutcome | undefined> {
    const decision = read.possiblyTruncated
      ? splitTruncated(window, writer.recordWalls, this.sweep.splits)
      : undefined;
    // A single second that still holds the cut cannot be split: it is published as it is.
    if (decision?.kind === 'retry') {
      await writer.abort();
      this.sweep.cut(window, writer.recordWalls);
      return this.split(window, decision, 'truncated');
    }
    if (!writer.mixed) return undefined;
    await writer.abort();
    this.sweep.again(window);
    await this.saveCheckpoint();
    return { kind: 'read-whole', window };
  }

  /** Step 5: the window's messages and the checkpoint past it, in one transaction. */
  private async commit(
    window: WallWindow,
    writer: WindowWriter,
    read: RecordsRead,
    progress: Progress,
    now: Date,
  ): Promise<CycleOutcome> {
    const readAt = wallTimeOf(now, this.settings.operation.timeZone);
    const sweep = this.sweep.after(window, writer.tally.valid);
    let next: Checkpoint;
    try {
      const published = await writer.finish();
      const moved = advance(progress, { window, readAt, published }, this.settings.lookbackSeconds);
      next = this.checkpointOf(moved, this.heartbeat(), sweep);
      await writer.commit(next);
    } catch (error) {
      await writer.abort();
      return this.publishFailed(window, error);
    }
    this.checkpoint = next;
    this.sweep.published(window, sweep);
    // A window read whole is mapped at the commit: count after it.
    const { valid, invalid, ...tally } = writer.tally;
    return {
      kind: 'published',
      window,
      fetched: valid + invalid,
      events: tally.events,
      deadLetters: tally.deadLetters,
      duplicates: tally.duplicates,
      oversize: tally.oversize,
      outOfWindow: tally.outOfWindow,
      // Only a single second is committed while it may be cut (readAgain).
      overflowingSecond: read.possiblyTruncated,
      lagSeconds: Math.max(0, readAt - next.progress.cursor),
      notFound: read.notFound === true,
    };
  }

  private async split(
    window: WallWindow,
    decision: Extract<SplitDecision, { kind: 'retry' }>,
    reason: 'truncated' | 'timed-out',
  ): Promise<CycleOutcome> {
    this.sweep.split(decision);
    // The checkpoint keeps the piece: a restart reads it next instead of finding it again.
    await this.saveCheckpoint();
    return { kind: 'split', window, retry: decision.window, reason };
  }

  /** Publishes a checkpoint with no events: a heartbeat, the budget record, the release. */
  private async saveAlone(progress: Progress, owner: Owner): Promise<void> {
    const checkpoint = this.checkpointOf(progress, owner, this.sweep.state());
    await this.publisher.publish({ events: [], deadLetters: [], checkpoint });
    this.checkpoint = checkpoint;
  }

  /** The checkpoint of `progress` with today's budget, the sweep in progress and `owner`. */
  private checkpointOf(
    progress: Progress,
    owner: Owner,
    sweep: SweepState | undefined,
  ): Checkpoint {
    const { day, used } = this.source.budget();
    return { progress: { ...progress, budget: { day, used } }, ...(sweep ? { sweep } : {}), owner };
  }

  private heartbeat(): Owner {
    return heartbeat(this.instanceId, this.clock());
  }

  /** The end of a sweep stays `settleSeconds` behind the present (records still being written). */
  private present(now: Date): WallSeconds {
    return wallTimeOf(now, this.settings.operation.timeZone) - this.settings.settleSeconds;
  }

  private publishFailed(window: WallWindow, error: unknown): CycleOutcome {
    if (error instanceof FencedError) {
      this.fenced = error;
      return { kind: 'fenced', error };
    }
    // The publisher dropped its producer; claim again and reload progress before publishing.
    this.checkpoint = undefined;
    return { kind: 'publish-failed', window, error: asError(error) };
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
