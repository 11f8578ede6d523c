import { parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import {
  DailyRequestBudget,
  type RecordSink,
  type RequestBudget,
  type WallWindow,
} from '@app/wolkvox-client';
import { PollCycle } from '../poll/poll-cycle.js';
import type { StoredCheckpoint } from '../poll/checkpoint-codec.js';
import {
  EmailSource,
  streamHeld,
  type BudgetSnapshot,
  type SourceOutcome,
} from '../ports/email-source.port.js';
import {
  EventPublisher,
  FencedError,
  type PublishBatch,
  type PublishTransaction,
} from '../ports/event-publisher.port.js';
import {
  CappedRequestBudget,
  RangeLimitedSource,
  RangeStartStore,
  UnpublishedOnlyPublisher,
} from './backfill-ports.js';
import { planBackfill, runBackfill } from './backfill.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;

/** cdr_9 in memory: inclusive windows, cut at `limit` records; spends `budget` per call. */
class MemorySource extends EmailSource {
  calls: WallWindow[] = [];
  limit = 60_000;
  constructor(
    private readonly rows: Cdr9Record[],
    private readonly requests: RequestBudget = new DailyRequestBudget({
      timeZone: 'America/Bogota',
    }),
  ) {
    super();
  }
  async streamWindow(window: WallWindow, sink: RecordSink): Promise<SourceOutcome> {
    if (!this.requests.tryAcquire()) {
      return { kind: 'budget-exhausted', resetsAt: 0, source: 'local' };
    }
    this.calls.push(window);
    const inWindow = this.rows
      .map((record) => ({ record, wall: t(record.date) }))
      .filter((r) => r.wall >= window.from && r.wall <= window.to)
      .sort((a, b) => a.wall - b.wall)
      .slice(0, this.limit);
    await streamHeld(sink, inWindow);
    return { kind: 'records', possiblyTruncated: inWindow.length >= this.limit };
  }
  budget(): BudgetSnapshot {
    const r = this.requests;
    return { day: r.day, used: r.used, limit: r.limit, remaining: r.remaining, resetsAt: 0 };
  }
  restoreBudget(): void {}
  retryToken(): void {}
}

class RecordingPublisher extends EventPublisher {
  batches: PublishBatch[] = [];
  fenced = false;
  prepare(): Promise<void> {
    return Promise.resolve();
  }
  claim(): Promise<void> {
    return Promise.resolve();
  }
  /** Records each committed transaction as one batch. */
  begin(): PublishTransaction {
    const batch: PublishBatch = { events: [], deadLetters: [], checkpoint: [] };
    return {
      send: (events, deadLetters) => {
        batch.events.push(...events);
        batch.deadLetters.push(...deadLetters);
        return Promise.resolve();
      },
      commit: (checkpoint) => {
        if (this.fenced) return Promise.reject(new FencedError('taken over'));
        batch.checkpoint.push(...checkpoint);
        this.batches.push(batch);
        return Promise.resolve();
      },
      abort: () => Promise.resolve(),
    };
  }
  maxEventBytes(): number {
    return 1024 * 1024;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  keys(): string[] {
    return this.batches.flatMap((b) => b.events.map((e) => e.key));
  }
}

function email(date: string, n: number): Cdr9Record {
  return {
    channel: 'campaign-7',
    date,
    from: 'a@x.co',
    to: `c${n}@x.co`,
    subject: `s${n}`,
    body: `b${n}`,
  };
}

const checkpointAt = (settledBefore: string): StoredCheckpoint => ({
  progress: { cursor: t(settledBefore) + 600, settledBefore: t(settledBefore), seen: new Map() },
  generation: 3,
  chunks: 0,
  writtenAt: '2026-03-10T00:00:00.000Z',
});

/** Twelve emails on 2026-03-01 between 10:00 and 10:11, one a minute, and one after the range. */
const ROWS = [
  ...Array.from({ length: 12 }, (_, i) =>
    email(`2026-03-01 10:${String(i).padStart(2, '0')}:30`, i),
  ),
  email('2026-03-01 12:00:00', 99),
];

function backfill(
  source: EmailSource,
  inner: RecordingPublisher,
  published = { events: new Set<string>(), deadLetters: new Set<string>() },
) {
  const range = { from: t('2026-03-01 10:00:00'), last: t('2026-03-01 10:59:59') };
  const publisher = new UnpublishedOnlyPublisher(inner, published);
  const cycle = new PollCycle(
    new RangeLimitedSource(source, range.last),
    publisher,
    new RangeStartStore(range.from, undefined),
    {
      operation: { server: '0010', timeZone: 'America/Bogota' },
      startAt: undefined,
      lookbackSeconds: 3600,
      settleSeconds: 0,
      unrecordedCallAllowance: 0,
      clock: () => new Date('2026-03-10T12:00:00-05:00'),
    },
  );
  const progress: number[] = [];
  const run = runBackfill({
    cycle,
    tally: publisher.tally,
    range,
    onProgress: (seconds) => progress.push(seconds),
    sleep: () => Promise.resolve(),
  });
  return { run, progress, published };
}

describe('planBackfill', () => {
  const from = t('2026-03-01 00:00:00');
  it('refuses an empty range and an operation that has no checkpoint', () => {
    expect(planBackfill(from, from, checkpointAt('2026-03-05 00:00:00')).kind).toBe('refused');
    expect(planBackfill(from, from + 10, null)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('POLL_START_AT'),
    });
  });

  it("ends the range before the checkpoint's settledBefore, which the poller reads itself", () => {
    expect(
      planBackfill(from, t('2026-03-02 00:00:00'), checkpointAt('2026-03-05 00:00:00')),
    ).toEqual({ kind: 'range', from, last: t('2026-03-01 23:59:59') });
    expect(
      planBackfill(from, t('2026-03-09 00:00:00'), checkpointAt('2026-03-05 00:00:00')),
    ).toEqual({
      kind: 'range',
      from,
      last: t('2026-03-04 23:59:59'),
      clampedAt: t('2026-03-05 00:00:00'),
    });
    expect(
      planBackfill(
        t('2026-03-05 00:00:00'),
        t('2026-03-06 00:00:00'),
        checkpointAt('2026-03-05 00:00:00'),
      ),
    ).toMatchObject({
      kind: 'nothing',
    });
  });
});

describe('runBackfill through PollCycle', () => {
  it('publishes every record of the range once, asks for nothing after it, and writes no checkpoint', async () => {
    const source = new MemorySource(ROWS);
    const inner = new RecordingPublisher();
    const { run, progress } = backfill(source, inner);
    const summary = await run;
    expect(summary).toMatchObject({ complete: true, fetched: 12 });
    expect(summary.published).toEqual({ events: 12, deadLetters: 0, alreadyPublished: 0 });
    expect(new Set(inner.keys()).size).toBe(12);
    expect(inner.batches.every((b) => b.checkpoint.length === 0)).toBe(true);
    // At most the second after the range: calls are widened by one (date_end may be exclusive).
    expect(source.calls.every((w) => w.to <= t('2026-03-01 11:00:00'))).toBe(true);
    expect(progress.at(-1)).toBe(3600);
  });

  it('skips the keys the topics already hold, so a second run publishes nothing', async () => {
    const first = new RecordingPublisher();
    await backfill(new MemorySource(ROWS), first).run;
    const alreadyOnTopic = { events: new Set(first.keys()), deadLetters: new Set<string>() };
    const second = new RecordingPublisher();
    const summary = await backfill(new MemorySource(ROWS), second, alreadyOnTopic).run;
    expect(summary.complete).toBe(true);
    expect(summary.published).toEqual({ events: 0, deadLetters: 0, alreadyPublished: 12 });
    expect(second.batches).toEqual([]);
  });

  it('splits windows the API cut and still publishes each record once', async () => {
    const source = new MemorySource(ROWS);
    source.limit = 5;
    const inner = new RecordingPublisher();
    const summary = await backfill(source, inner).run;
    expect(summary.complete).toBe(true);
    expect(summary.splits).toBeGreaterThan(0);
    expect(inner.keys()).toHaveLength(12);
    expect(new Set(inner.keys()).size).toBe(12);
  });

  it('stops, saying why, when the request cap of the run is reached', async () => {
    const budget = new CappedRequestBudget(
      new DailyRequestBudget({ timeZone: 'America/Bogota' }),
      1,
    );
    const source = new MemorySource(ROWS, budget);
    source.limit = 5;
    const summary = await backfill(source, new RecordingPublisher()).run;
    expect(summary.complete).toBe(false);
    expect(summary.stoppedBecause).toContain('--max-requests');
    expect(budget.runSpent).toBe(1);
  });

  it('stops when another backfill fenced it', async () => {
    const inner = new RecordingPublisher();
    inner.fenced = true;
    const summary = await backfill(new MemorySource(ROWS), inner).run;
    expect(summary).toMatchObject({
      complete: false,
      stoppedBecause: expect.stringContaining('fenced'),
    });
  });
});
