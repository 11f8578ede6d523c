import { formatWallTime, wallTimeOf, type Operation, type WallSeconds } from '@app/contracts';
import type { SourceFailure, WallWindow } from '@app/wolkvox-client';
import { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { EmailSource, type SourceOutcome } from '../ports/email-source.port.js';
import { EventPublisher, FencedError } from '../ports/event-publisher.port.js';
import type { LeaseBeacon } from '../ports/lease-beacon.port.js';
import {
  CorruptCheckpointError,
  encodeCheckpoint,
  type Owner,
  type StoredCheckpoint,
} from './checkpoint-codec.js';
import {
  advance,
  initialProgress,
  resumablePass,
  type PassState,
  type Progress,
} from './progress.js';
import {
  callWindowFor,
  provenBounds,
  UNPROVEN_BOUNDS,
  type InclusiveBounds,
} from './call-bounds.js';
import {
  capByKnownRecords,
  densityOf,
  planWindow,
  splitTimedOut,
  splitTruncated,
  windowSpan,
  WOLKVOX_LIMITS,
  type KnownRecords,
  type WindowLimits,
} from './window-planner.js';
import { WindowWriter } from './window-writer.js';

export interface PollCycleSettings {
  operation: Operation;
  /** RFC 3339 instant of the very first run; ignored once a checkpoint exists. */
  startAt: Date | undefined;
  lookbackSeconds: number;
  /** The end of a pass stays this far behind the present (records still being written). */
  settleSeconds: number;
  /** Requests a crash may have spent without recording them, added when a budget is restored. */
  unrecordedCallAllowance: number;
  /**
   * This process's name in the lease (the pod or host name): a restart under the same name
   * takes the operation back at once, another name waits for the lease to lapse.
   */
  instanceId?: string;
  /** How long an owner's last checkpoint keeps other instances from taking over. */
  leaseMs?: number;
  /**
   * How long after it was sent a call may still run on the server once its caller is gone.
   * After a takeover or a crash, no call is made before the previous owner's last lease
   * renewal plus this (and the renewal period): its calls may still count against the token.
   */
  abandonedCallMs?: number;
  limits?: WindowLimits;
  clock?: () => Date;
}

export type CycleOutcome =
  /** A window read completely and published with its checkpoint. */
  | {
      kind: 'published';
      window: WallWindow;
      fetched: number;
      events: number;
      deadLetters: number;
      duplicates: number;
      oversize: number;
      outOfWindow: number;
      /** A one-second window that still held the API's cut: records beyond it are out of reach. */
      overflowingSecond: boolean;
      lagSeconds: number;
      /** The API answered 404 "Validate dates entered" (no records). */
      notFound: boolean;
    }
  /** The pass reached the present: wait for the next interval. */
  | { kind: 'caught-up'; lagSeconds: number }
  /** The window came back cut (or timed out) and will be read again in a smaller piece. */
  | { kind: 'split'; window: WallWindow; retry: WallWindow; reason: 'truncated' | 'timed-out' }
  /** The API gave no usable answer; nothing moved. */
  | {
      kind: 'source-failed';
      window: WallWindow;
      outcome: SourceFailure;
    }
  /** Kafka did not take the batch; nothing was published, the window will be read again. */
  | { kind: 'publish-failed'; window: WallWindow | undefined; error: Error }
  /** Another poller of this operation took over. */
  | { kind: 'fenced'; error: FencedError }
  /**
   * Records identical in the six fields differ in others: their numbers depend on all of them,
   * so the window is read again and held whole before it is mapped. Nothing moved.
   */
  | { kind: 'read-whole'; window: WallWindow }
  /** Another live poller holds the operation: this one waits, reading nothing. */
  | { kind: 'standby'; owner: Owner; retryInMs: number }
  /**
   * The checkpoint on the progress topic cannot be read (corrupt, or written by a newer
   * release): the poller must not guess where it stands, and publishes nothing until an
   * operator resets it (`cli checkpoint-reset`) or a release that reads it is deployed.
   */
  | { kind: 'checkpoint-unreadable'; error: CorruptCheckpointError };

export class StartAtRequiredError extends Error {
  override readonly name = 'StartAtRequiredError';
}

/** Another instance holds a live lease on the operation. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(
    readonly owner: Owner,
    readonly retryInMs: number,
  ) {
    super(`operation held by ${owner.id} (last heartbeat ${owner.heartbeatAt})`);
  }
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * One poll cycle, top to bottom, the way Kafka Connect's source task polls:
 * load progress -> plan a window -> fetch -> validate -> map to events -> drop keys already
 * published -> publish events, dead letters and progress together -> record the outcome.
 *
 * One call of `run()` reads one window, so catch-up is a run of cycles back to back and a crash
 * loses at most the window in flight. Decisions are pure functions (window-planner, call-bounds,
 * progress, event-mapping, checkpoint-codec); this class only sequences them around the ports.
 */
export class PollCycle {
  private checkpoint: StoredCheckpoint | undefined;
  /**
   * The pass in progress: where it has read up to, and where it ends. A pass starts at
   * `settledBefore` (re-reading the look-back) and ends where the present stood when it
   * started: under steady traffic a moving end would never be reached, the look-back never
   * re-read, and `settledBefore` never move. `records`: valid records its windows held.
   */
  private pass:
    | {
        start: WallSeconds;
        position: WallSeconds;
        end: WallSeconds;
        records: number;
      }
    | undefined;
  /**
   * A smaller piece of a window that came back cut, and how often this range was cut; or the
   * same window, to be read again held whole (`whole`).
   */
  private retry: { window: WallWindow; splits: number; whole?: boolean } | undefined;
  /**
   * Records per second of everything the current pass has read (the last pass's, until the
   * first window of a pass is read): what the next window is sized by. The density of the whole
   * pass rather than of the last window, because a burst in the last window would size the
   * steady traffic after it short; replayed on a 31-day backfill this saved a call in 8, and on
   * two of three other traffic shapes (BENCHMARKS.md, "(c) Calls").
   */
  private density: number | undefined;
  private fenced: FencedError | undefined;
  /** The records the last cut response showed of its window (capByKnownRecords). */
  private known: KnownRecords | undefined;
  /** What responses have proven of the API's bounds: decides how wide calls are. */
  private bounds: InclusiveBounds = UNPROVEN_BOUNDS;
  private readonly limits: WindowLimits;
  private readonly clock: () => Date;
  private readonly instanceId: string;
  private readonly leaseMs: number;

  constructor(
    private readonly source: EmailSource,
    private readonly publisher: EventPublisher,
    private readonly store: CheckpointStore,
    private readonly settings: PollCycleSettings,
    /** Renews the lease while a cycle runs; none for a run that takes no lease (backfill). */
    private readonly beacon?: LeaseBeacon,
  ) {
    this.limits = settings.limits ?? WOLKVOX_LIMITS;
    this.clock = settings.clock ?? (() => new Date());
    this.instanceId = settings.instanceId ?? 'poller';
    this.leaseMs = settings.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * Writes a head-only checkpoint: the same positions, today's budget and a fresh lease. The
   * loop calls it between polls so a newcomer keeps waiting while this poller is alive but
   * idle; the cycle calls it after spending calls that published nothing, so a restart does not
   * forget them. Best effort: on failure a later checkpoint carries both, and progress is
   * reloaded before the next publish. Does nothing before the first load.
   */
  async heartbeat(): Promise<void> {
    if (!this.checkpoint || this.fenced) return;
    const progress = this.checkpoint.progress;
    try {
      await this.commit(progress);
    } catch (error) {
      if (error instanceof FencedError) this.fenced = error;
      this.checkpoint = undefined;
    }
  }

  /**
   * Renews the lease without a checkpoint, while a cycle runs longer than a third of the lease
   * (the loop calls it). Only while this instance holds the operation: not before its first
   * load, not on standby, not once fenced. Best effort.
   */
  async renewLease(): Promise<void> {
    if (!this.checkpoint || this.fenced || !this.beacon) return;
    await this.beacon
      .renew({ id: this.instanceId, heartbeatAt: this.clock().toISOString() })
      .catch(() => undefined);
  }

  /**
   * Gives the lease up on a clean shutdown, so a standby poller takes over at its next look
   * instead of waiting for the lease to lapse. Best effort.
   */
  async release(): Promise<void> {
    if (!this.checkpoint || this.fenced) return;
    try {
      await this.commit(this.checkpoint.progress, {
        id: this.instanceId,
        heartbeatAt: new Date(0).toISOString(),
      });
    } catch {
      // The lease lapses by itself.
    }
  }

  /**
   * A previous owner that did not release the lease (killed, or taken over) may have had calls
   * in flight; the server may run them on until `abandonedCallMs` after they were sent, and a
   * call of its was in flight at most a renewal period after its last lease renewal.
   */
  private waitForCallsLeftRunning(owner: Owner | undefined): void {
    const renewedAt = owner ? Date.parse(owner.heartbeatAt) : NaN;
    if (!(renewedAt > 0) || !this.settings.abandonedCallMs) return;
    this.source.assumeCallsInFlightUntil(
      renewedAt + this.leaseMs / 3 + this.settings.abandonedCallMs,
    );
  }

  private heldByOther(owner: Owner | undefined): LeaseHeldError | undefined {
    if (!owner || owner.id === this.instanceId) return undefined;
    const age = this.clock().getTime() - Date.parse(owner.heartbeatAt);
    if (!(age < this.leaseMs)) return undefined;
    return new LeaseHeldError(
      owner,
      Math.max(1000, Math.min(this.leaseMs - age + 500, this.leaseMs / 2)),
    );
  }

  /** The committed progress, once loaded. */
  get progress(): Progress | undefined {
    return this.checkpoint?.progress;
  }

  get loaded(): boolean {
    return this.checkpoint !== undefined;
  }

  /**
   * Claims the operation (fencing any rival) and loads its progress from Kafka. Runs before the
   * first cycle and again after any failed publish, since a rival may have moved progress.
   *
   * Fencing makes a second poller safe but would let every newcomer take over from a healthy
   * poller. So a newcomer first looks at the checkpoint's lease: while another instance wrote
   * it less than the lease ago, it stays on standby (LeaseHeldError) and claims nothing. Two
   * pollers that look at the same moment may both claim; fencing then stops the earlier one.
   */
  async load(): Promise<Progress> {
    this.checkpoint = undefined;
    await this.publisher.prepare();
    const held = this.heldByOther(await this.store.peekOwner());
    if (held) throw held;
    await this.publisher.claim();
    const stored = await this.store.load();
    if (stored) {
      this.checkpoint = stored;
      this.waitForCallsLeftRunning(stored.owner);
    } else {
      const startAt = this.settings.startAt;
      if (!startAt) {
        throw new StartAtRequiredError(
          'no checkpoint exists for this operation: POLL_START_AT is required on the first run',
        );
      }
      const progress = initialProgress(wallTimeOf(startAt, this.settings.operation.timeZone));
      this.checkpoint = { progress, generation: 0, chunks: 0, writtenAt: '' };
    }
    const budget = this.checkpoint.progress.budget;
    if (budget)
      this.source.restoreBudget(budget.day, budget.used + this.settings.unrecordedCallAllowance);
    // A pass cut short in the middle of a split continues with its pending piece, its end moved
    // up to the present (a restart reads up to now); any other starts anew from the settled
    // position, re-reading the look-back as a restart should. Either way windows are sized by
    // the density learnt before the restart.
    const saved = this.checkpoint.progress.pass;
    const resumed = resumablePass(this.checkpoint.progress);
    const present =
      wallTimeOf(this.clock(), this.settings.operation.timeZone) - this.settings.settleSeconds;
    this.pass = resumed && {
      start: resumed.start,
      position: resumed.position,
      end: Math.max(resumed.end, present),
      records: resumed.records,
    };
    this.retry = resumed?.retry;
    if (saved?.density !== undefined) this.density = saved.density;
    return this.checkpoint.progress;
  }

  async run(signal?: AbortSignal): Promise<CycleOutcome> {
    if (this.fenced) return { kind: 'fenced', error: this.fenced };
    // 1. Load progress (after a start, a failed publish, or a takeover).
    if (!this.checkpoint) {
      try {
        await this.load();
      } catch (error) {
        if (error instanceof LeaseHeldError)
          return { kind: 'standby', owner: error.owner, retryInMs: error.retryInMs };
        if (error instanceof FencedError) {
          this.fenced = error;
          return { kind: 'fenced', error };
        }
        if (error instanceof StartAtRequiredError) throw error;
        if (error instanceof CorruptCheckpointError)
          return { kind: 'checkpoint-unreadable', error };
        return { kind: 'publish-failed', window: undefined, error: asError(error) };
      }
    }
    const progress = this.checkpoint!.progress;
    const now = this.clock();
    const nowWall = wallTimeOf(now, this.settings.operation.timeZone);
    const present = nowWall - this.settings.settleSeconds;

    // 2. Plan the window: a retry piece, or the next window of the pass.
    this.pass ??= {
      start: progress.settledBefore,
      position: progress.settledBefore,
      end: present,
      records: 0,
    };
    const planned = planWindow(this.pass.position, this.pass.end, this.density, this.limits);
    const window =
      this.retry?.window ?? (planned && capByKnownRecords(planned, this.known, this.limits));
    if (!window) {
      this.pass = undefined; // the next pass re-reads the look-back
      // How far the present has moved on since the pass started: the loop runs the next pass
      // at once when that is more than an interval (catch-up), else after one.
      return { kind: 'caught-up', lagSeconds: Math.max(0, present + 1 - progress.cursor) };
    }

    // 3. Read the window; each record is validated, mapped, checked against the keys already
    // published and sent in one open transaction as the response streams in (WindowWriter).
    const readAt = nowWall;
    const writer = new WindowWriter(this.publisher, {
      window,
      operation: this.settings.operation,
      maxEventBytes: this.publisher.maxEventBytes(),
      detectedAt: now,
      seen: progress.seen,
      mode: this.retry?.whole ? 'whole' : 'stream',
    });
    let outcome: SourceOutcome;
    // A second more on each side the API has not proven inclusive (call-bounds.ts).
    const call = callWindowFor(window, this.bounds);
    try {
      outcome = await this.source.streamWindow(call, writer, signal);
    } catch (error) {
      // The sink's own failure (Kafka), or the caller aborting: nothing of the window commits.
      await writer.abort();
      if (signal?.aborted) throw error;
      return this.publishFailed(window, error);
    }
    this.bounds = provenBounds(call, writer.recordWalls, this.bounds);
    if (outcome.kind !== 'records') {
      await writer.abort();
      if (outcome.kind === 'timed-out')
        return this.split(window, splitTimedOut(window), 'timed-out', outcome);
      await this.heartbeat();
      return { kind: 'source-failed', window, outcome };
    }

    // 4. A response that may be cut is read again in a smaller window; what it sent is aborted,
    // never seen by a read_committed subscriber.
    const overflowingSecond = outcome.possiblyTruncated && windowSpan(window) === 1;
    if (outcome.possiblyTruncated && !overflowingSecond) {
      await writer.abort();
      const decision = splitTruncated(window, writer.recordWalls, this.retry?.splits ?? 0);
      this.known = knownRecordsOf(window, writer.recordWalls);
      return this.split(window, decision, 'truncated', outcome);
    }
    // 5. Identical records that differ outside the six fields are numbered by the order of all
    // of them: read the window again, held whole this time.
    if (writer.mixed) {
      await writer.abort();
      this.retry = { window, splits: this.retry?.splits ?? 0, whole: true };
      await this.heartbeat();
      return { kind: 'read-whole', window };
    }

    // 6. Commit what was sent with the next checkpoint, in the same transaction; the pass moves
    // on past the window, and the checkpoint says so.
    const pass = { ...this.pass };
    pass.position = window.to + 1;
    pass.records += writer.tally.valid;
    const density = densityOf({ from: pass.start, to: window.to }, pass.records);
    let written: StoredCheckpoint | undefined;
    try {
      await writer.commit((published) => {
        const next = advance(
          progress,
          { window, readAt, published },
          this.settings.lookbackSeconds,
        );
        const checkpoint = this.encodeNext(next, undefined, { ...pass, density });
        written = checkpoint.stored;
        return checkpoint.messages;
      });
    } catch (error) {
      await writer.abort();
      return this.publishFailed(window, error);
    }
    this.checkpoint = written!;

    // 7. Record the outcome (a window read whole is mapped at the commit: count after it).
    const tally = writer.tally;
    this.pass = pass;
    this.retry = undefined;
    this.density = density;
    if (this.known && window.to >= this.known.window.to) this.known = undefined;
    return {
      kind: 'published',
      window,
      fetched: tally.valid + tally.invalid,
      events: tally.events,
      deadLetters: tally.deadLetters,
      duplicates: tally.duplicates,
      oversize: tally.oversize,
      outOfWindow: tally.outOfWindow,
      overflowingSecond,
      lagSeconds: Math.max(0, nowWall - written!.progress.cursor),
      notFound: outcome.notFound === true,
    };
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

  private async split(
    window: WallWindow,
    decision: ReturnType<typeof splitTimedOut>,
    reason: 'truncated' | 'timed-out',
    outcome: SourceOutcome,
  ): Promise<CycleOutcome> {
    if (decision.kind === 'indivisible') {
      // Only a timeout can reach here (a cut single second is published as is): the second
      // cannot be read within the API's limit; try again later without moving.
      await this.heartbeat();
      return {
        kind: 'source-failed',
        window,
        outcome: outcome as SourceFailure,
      };
    }
    this.retry = { window: decision.window, splits: (this.retry?.splits ?? 0) + 1 };
    // The checkpoint keeps the piece: a restart reads it next instead of finding it again.
    await this.heartbeat();
    return { kind: 'split', window, retry: decision.window, reason };
  }

  /** Publishes a checkpoint alone: the heartbeat, the budget record, the lease's release. */
  private async commit(
    next: Progress,
    owner: Owner = { id: this.instanceId, heartbeatAt: this.clock().toISOString() },
  ): Promise<void> {
    const { messages, stored } = this.encodeNext(next, owner);
    await this.publisher.publish({ events: [], deadLetters: [], checkpoint: messages });
    this.checkpoint = stored;
  }

  /**
   * The checkpoint that follows the stored one with progress `next`, today's budget and a
   * fresh lease: its messages, and what it stores once they are committed.
   */
  private encodeNext(
    next: Progress,
    owner: Owner = { id: this.instanceId, heartbeatAt: this.clock().toISOString() },
    pass: PassState | undefined = this.passState(),
  ): ReturnType<typeof encodeCheckpoint> {
    const stored = this.checkpoint!;
    const budget = this.source.budget();
    const { pass: _stale, ...positions } = next;
    const withBudget: Progress = {
      ...positions,
      budget: { day: budget.day, used: budget.used },
      ...(pass ? { pass } : {}),
    };
    return encodeCheckpoint(
      this.settings.operation.server,
      withBudget,
      stored.generation + 1,
      stored.chunks,
      this.clock(),
      owner,
    );
  }

  /** The pass in progress as the checkpoint keeps it; none between passes. */
  private passState(): PassState | undefined {
    if (!this.pass) return undefined;
    return {
      ...this.pass,
      ...(this.density !== undefined ? { density: this.density } : {}),
      ...(this.retry ? { retry: this.retry } : {}),
    };
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

function knownRecordsOf(window: WallWindow, walls: readonly WallSeconds[]): KnownRecords {
  return {
    window,
    walls: walls.filter((wall) => wall >= window.from && wall <= window.to).sort((a, b) => a - b),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
