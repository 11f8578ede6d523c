import type { WallSeconds } from '@app/contracts';
import type { RecordSink, WallWindow } from '@app/wolkvox-client';
import { CheckpointStore, type Checkpoint, type Progress } from '../ports/checkpoint-store.port.js';
import { EmailSource, type SourceOutcome } from '../ports/email-source.port.js';
import {
  EventPublisher,
  type OutgoingMessage,
  type PublishTransaction,
} from '../ports/event-publisher.port.js';

/**
 * The three ports of the poll cycle, adapted so that the very same PollCycle reads a past range
 * once, from its start to its end, publishing only what the topics do not hold yet, and never
 * touching the operation's own progress: the backfill's and the reconciliation's, through
 * range-runner.ts. See cli/backfill.ts for why this is safe beside a running poller.
 */

/**
 * A progress that starts the sweep at the run's resume point (the range's start, then past each
 * window committed); the operation's checkpoint is neither read nor written.
 */
export class RangeStartStore extends CheckpointStore {
  private density: number | undefined;

  constructor(
    /** Where a load starts the sweep: the range's start, then past each window committed. */
    private at: WallSeconds,
    private readonly start: {
      /** The operation's spending today, so the run's own count starts from it. */
      budget?: Progress['budget'];
      /**
       * Records per second to size the first window by (the live poll's), instead of a 31-day
       * window the API would cut.
       */
      density?: number;
    } = {},
  ) {
    super();
    this.density = start.density;
  }

  /** Where a reload (after a failed publish) starts the sweep. */
  get from(): WallSeconds {
    return this.at;
  }

  /**
   * A window up to `to` committed: a reload resumes at the second after it, with its windows
   * sized by the density the run had learnt, rather than at the range's start, where it would
   * read (and pay for) every committed window again.
   */
  committed(to: WallSeconds, density: number | undefined): void {
    this.at = Math.max(this.at, to + 1);
    if (density !== undefined) this.density = density;
  }

  load(): Promise<Checkpoint> {
    const { budget } = this.start;
    const { at, density } = this;
    const progress: Progress = {
      cursor: at,
      settledBefore: at,
      seen: new Map(),
      ...(budget ? { budget } : {}),
    };
    const sweep = density !== undefined && {
      start: at,
      position: at,
      end: at,
      records: 0,
      density,
    };
    return Promise.resolve({ progress, ...(sweep ? { sweep } : {}) });
  }

  /** No lease: the run never holds the operation's progress. */
  peekOwner(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

/**
 * The cycle plans windows up to "now"; this asks the API for no second after `last`. A window
 * wholly after it is answered empty without a call, so the sweep ends at `last` without spending
 * budget on what the running poller reads itself.
 */
export class RangeLimitedSource extends EmailSource {
  constructor(
    private readonly inner: EmailSource,
    private readonly last: WallSeconds,
  ) {
    super();
  }

  streamWindow(window: WallWindow, sink: RecordSink, signal?: AbortSignal): Promise<SourceOutcome> {
    if (window.from > this.last) {
      return Promise.resolve({ kind: 'records', possiblyTruncated: false });
    }
    // One second past the range's end: the poller widens calls by a second, since date_end
    // may be exclusive (call-bounds.ts).
    return this.inner.streamWindow(
      { from: window.from, to: Math.min(window.to, this.last + 1) },
      sink,
      signal,
    );
  }

  budget() {
    return this.inner.budget();
  }

  restoreBudget(day: string, used: number): void {
    this.inner.restoreBudget(day, used);
  }

  retryToken(): void {
    this.inner.retryToken();
  }

  override assumeCallsInFlightUntil(untilMs: number): void {
    this.inner.assumeCallsInFlightUntil(untilMs);
  }
}

export interface PublishTally {
  events: number;
  deadLetters: number;
  /** Messages not published because the topic already held their key. */
  alreadyPublished: number;
}

/**
 * Publishes only the events and dead letters whose key the topics do not hold yet (read once
 * before the backfill starts, and extended with every batch committed), and drops the cycle's
 * checkpoint messages: the backfill's position is not the operation's progress, which belongs to
 * the running poller.
 */
export class UnpublishedOnlyPublisher extends EventPublisher {
  readonly tally: PublishTally = { events: 0, deadLetters: 0, alreadyPublished: 0 };

  constructor(
    private readonly inner: EventPublisher,
    private readonly published: { events: Set<string>; deadLetters: Set<string> },
  ) {
    super();
  }

  prepare(): Promise<void> {
    return this.inner.prepare();
  }

  claim(): Promise<void> {
    return this.inner.claim();
  }

  begin(): PublishTransaction {
    const inner = this.inner.begin();
    // Keys sent in this transaction: they count as published once it commits.
    const events: string[] = [];
    const deadLetters: string[] = [];
    let skipped = 0;
    return {
      send: async (allEvents, allDeadLetters) => {
        const freshEvents = this.fresh(allEvents, this.published.events);
        const freshDeadLetters = this.fresh(allDeadLetters, this.published.deadLetters);
        skipped +=
          allEvents.length - freshEvents.length + allDeadLetters.length - freshDeadLetters.length;
        for (const m of freshEvents) events.push(m.key);
        for (const m of freshDeadLetters) deadLetters.push(m.key);
        await inner.send(freshEvents, freshDeadLetters);
      },
      // The checkpoint is dropped; a transaction that wrote nothing commits nothing.
      commit: async () => {
        if (events.length || deadLetters.length) await inner.commit();
        else await inner.abort();
        for (const key of events) this.published.events.add(key);
        for (const key of deadLetters) this.published.deadLetters.add(key);
        this.tally.events += events.length;
        this.tally.deadLetters += deadLetters.length;
        this.tally.alreadyPublished += skipped;
      },
      abort: () => inner.abort(),
    };
  }

  maxEventBytes(): number {
    return this.inner.maxEventBytes();
  }

  override maxDeadLetterBytes(): number {
    return this.inner.maxDeadLetterBytes();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private fresh(messages: OutgoingMessage[], published: Set<string>): OutgoingMessage[] {
    return messages.filter((m) => !published.has(m.key));
  }
}
