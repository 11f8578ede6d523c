import { idempotencyKey, parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import { DailyRequestBudget, type RequestBudget } from '@app/wolkvox-client';
import type { Checkpoint } from '../ports/checkpoint-store.port.js';
import type { EmailSource } from '../ports/email-source.port.js';
import { email, MemoryPublisher, MemorySource } from '../ports/testing/index.js';
import { RangeRunner } from '../range/range-runner.js';
import { planBackfill, runBackfill } from './backfill.js';
import { CappedRequestBudget } from './capped-request-budget.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const wallOf = (row: Cdr9Record): WallSeconds => t(row.date);
const keyOf = (row: Cdr9Record) => idempotencyKey('0010', row, 1);

/** cdr_9 in memory, spending a request of the day's budget per call. */
function memorySource(
  rows: Cdr9Record[],
  requests: RequestBudget = new DailyRequestBudget({ timeZone: 'America/Bogota' }),
) {
  return new MemorySource(rows, { requests });
}

/** The keys of the events each committed transaction published. */
function keysOf(publisher: MemoryPublisher): string[] {
  return publisher.kafka.events.map((e) => e.key);
}

const checkpointAt = (settledBefore: string): Checkpoint => ({
  progress: { cursor: t(settledBefore) + 600, settledBefore: t(settledBefore), seen: new Map() },
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
  inner: MemoryPublisher,
  published = { events: new Set<string>(), deadLetters: new Set<string>() },
  onWindow?: (secondsDone: number, windows: number) => void,
) {
  const range = { from: t('2026-03-01 10:00:00'), last: t('2026-03-01 10:59:59') };
  // The runner's backoff clock, moved on by the backfill's sleep.
  let nowMs = 0;
  const runner = new RangeRunner({
    range,
    source,
    publisher: inner,
    published,
    settings: {
      operation: { server: '0010', timeZone: 'America/Bogota' },
      startAt: undefined,
      lookbackSeconds: 3600,
      settleSeconds: 0,
      unrecordedCallAllowance: 0,
      clock: () => new Date('2026-03-10T12:00:00-05:00'),
    },
    now: () => nowMs,
  });
  const progress: number[] = [];
  const run = runBackfill({
    runner,
    range,
    onProgress: (seconds, summary) => {
      progress.push(seconds);
      onWindow?.(seconds, summary.windows);
    },
    sleep: (ms) => {
      nowMs += ms;
      return Promise.resolve();
    },
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
    const source = memorySource(ROWS);
    const inner = new MemoryPublisher();
    const { run, progress } = backfill(source, inner);
    const summary = await run;
    expect(summary).toMatchObject({ complete: true, fetched: 12 });
    expect(summary.published).toEqual({ events: 12, deadLetters: 0, alreadyPublished: 0 });
    expect(new Set(keysOf(inner)).size).toBe(12);
    expect(inner.kafka.committed.every((b) => b.checkpoint === undefined)).toBe(true);
    // At most the second after the range: calls are widened by one (date_end may be exclusive).
    expect(source.calls.every((w) => w.to <= t('2026-03-01 11:00:00'))).toBe(true);
    expect(progress.at(-1)).toBe(3600);
  });

  it('skips the keys the topics already hold, so a second run publishes nothing', async () => {
    const first = new MemoryPublisher();
    await backfill(memorySource(ROWS), first).run;
    const alreadyOnTopic = { events: new Set(keysOf(first)), deadLetters: new Set<string>() };
    const second = new MemoryPublisher();
    const summary = await backfill(memorySource(ROWS), second, alreadyOnTopic).run;
    expect(summary.complete).toBe(true);
    expect(summary.published).toEqual({ events: 0, deadLetters: 0, alreadyPublished: 12 });
    expect(second.kafka.committed).toEqual([]);
  });

  it('splits windows the API cut and still publishes each record once', async () => {
    const source = memorySource(ROWS);
    source.limit = 5;
    const inner = new MemoryPublisher();
    const summary = await backfill(source, inner).run;
    expect(summary.complete).toBe(true);
    expect(summary.splits).toBeGreaterThan(0);
    expect(keysOf(inner)).toHaveLength(12);
    expect(new Set(keysOf(inner)).size).toBe(12);
  });

  it('stops, saying why, when the request cap of the run is reached', async () => {
    const budget = new CappedRequestBudget(
      new DailyRequestBudget({ timeZone: 'America/Bogota' }),
      1,
    );
    const source = memorySource(ROWS, budget);
    source.limit = 5;
    const summary = await backfill(source, new MemoryPublisher()).run;
    expect(summary.complete).toBe(false);
    expect(summary.stoppedBecause).toContain('--max-requests');
    expect(budget.runSpent).toBe(1);
  });

  it('resumes after a Kafka failure where it stood: no call reads the published part again', async () => {
    const source = memorySource(ROWS);
    source.limit = 3; // windows of a few records: the range takes several
    const inner = new MemoryPublisher();
    let latestPublished: WallSeconds | undefined;
    let callsBefore = 0;
    const { run } = backfill(source, inner, undefined, (_seconds, windows) => {
      if (windows !== 2) return;
      // Two windows committed: the broker fails the next commit (the cycle drops its producer).
      const keys = new Set(keysOf(inner));
      latestPublished = Math.max(...ROWS.filter((r) => keys.has(keyOf(r))).map(wallOf));
      callsBefore = source.calls.length;
      inner.failNextCommit = 1;
    });
    const summary = await run;
    expect(summary.complete).toBe(true);
    expect(inner.aborted).toBeGreaterThan(0);
    expect(keysOf(inner)).toHaveLength(12);
    expect(new Set(keysOf(inner)).size).toBe(12);
    // No call after the failure asks again for a second that held a published record.
    const after = source.calls.slice(callsBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((call) => call.from <= latestPublished!)).toEqual([]);
  });

  it('stops when another backfill fenced it', async () => {
    const inner = new MemoryPublisher();
    inner.fenced = true;
    const summary = await backfill(memorySource(ROWS), inner).run;
    expect(summary).toMatchObject({
      complete: false,
      stoppedBecause: expect.stringContaining('fenced'),
    });
  });
});
