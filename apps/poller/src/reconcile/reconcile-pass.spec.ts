import { idempotencyKey, parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import { email, MemoryPublisher, MemorySource } from '../ports/testing/index.js';
import { PASS_OVERRIDES, ReconcilePass, type StepResult } from './reconcile-pass.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const OPERATION = { server: '0010', timeZone: 'America/Bogota' };

/** cdr_9 over a day, one email an hour. */
const hourly = (rows: Cdr9Record[]) => new MemorySource(rows, { day: '2026-03-10' });

const rows: Cdr9Record[] = Array.from({ length: 24 }, (_, h) =>
  email(`2026-03-09 ${String(h).padStart(2, '0')}:30:00`, h),
);
const keyOf = (row: Cdr9Record) => idempotencyKey(OPERATION.server, row, 1);

async function runToEnd(pass: ReconcilePass): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (let i = 0; i < 100; i++) {
    const step = await pass.step();
    steps.push(step);
    if (step.kind === 'ended') return steps;
  }
  throw new Error('the pass did not end');
}

describe('ReconcilePass', () => {
  const range = { from: t('2026-03-09 00:00:00'), last: t('2026-03-09 11:59:59') };

  it('publishes only the keys the topics lack, within its range, and writes no checkpoint', async () => {
    const source = hourly(rows);
    const publisher = new MemoryPublisher();
    // Everything but 03:30 and 08:30 was published by the live poll.
    const published = new Set(rows.filter((_, h) => h !== 3 && h !== 8).map(keyOf));
    const pass = new ReconcilePass({
      range,
      source,
      publisher,
      published: { events: published, deadLetters: new Set() },
      density: 4 / 3600, // windows of about 45 records at the target: 12 h in 1 call
      settings: { operation: OPERATION, ...PASS_OVERRIDES },
    });
    const steps = await runToEnd(pass);

    const events = publisher.kafka.events.map((e) => e.key);
    expect(events.sort()).toEqual([keyOf(rows[3]), keyOf(rows[8])].sort());
    expect(publisher.kafka.committed.every((c) => c.checkpoint === undefined)).toBe(true);
    // No call asks for anything after the range's end (one second more: date_end may be exclusive).
    expect(Math.max(...source.calls.map((c) => c.to))).toBeLessThanOrEqual(range.last + 1);
    const end = steps.at(-1)!;
    expect(end).toMatchObject({ kind: 'ended', outcome: 'completed' });
    expect(steps.reduce((n, s) => n + s.found, 0)).toBe(2);
    expect(steps.reduce((n, s) => n + s.calls, 0)).toBe(source.used);
    expect(pass.tally).toMatchObject({ events: 2, alreadyPublished: 10 });
  });

  it('ends as failed when the API gives no answer, having published nothing twice', async () => {
    const source = hourly(rows);
    source.unavailable = 1;
    const publisher = new MemoryPublisher();
    const pass = new ReconcilePass({
      range,
      source,
      publisher,
      published: { events: new Set(), deadLetters: new Set() },
      density: undefined,
      settings: { operation: OPERATION, ...PASS_OVERRIDES },
    });
    const [step] = await runToEnd(pass);
    expect(step).toMatchObject({ kind: 'ended', outcome: 'failed', found: 0, calls: 1 });
    expect(publisher.kafka.events).toEqual([]);
  });

  it('after Kafka refused a window, gives its turns back until the retry is due', async () => {
    const source = hourly(rows);
    const publisher = new MemoryPublisher();
    publisher.failNextCommit = 1;
    const pass = new ReconcilePass({
      range,
      source,
      publisher,
      published: { events: new Set(), deadLetters: new Set() },
      density: 4 / 3600,
      settings: { operation: OPERATION, ...PASS_OVERRIDES },
    });
    const first = await pass.step();
    expect(first).toMatchObject({ kind: 'wait', found: 0, calls: 1 });
    // Its retry is not due yet: the next turn reads nothing.
    expect(await pass.step()).toMatchObject({ kind: 'wait', calls: 0 });
    expect(source.calls).toHaveLength(1);
    expect(publisher.kafka.events).toEqual([]);
  });
});
