import { idempotencyKey, parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import type { RecordSink, WallWindow } from '@app/wolkvox-client';
import {
  EmailSource,
  streamHeld,
  type BudgetSnapshot,
  type SourceOutcome,
} from '../ports/email-source.port.js';
import { EventPublisher, type PublishTransaction } from '../ports/event-publisher.port.js';
import { ReconcilePass, type StepResult } from './reconcile-pass.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const OPERATION = { server: '0010', timeZone: 'America/Bogota' };

/** cdr_9 over a day, one email an hour; `fail` answers the next calls as unavailable. */
class HourlySource extends EmailSource {
  readonly calls: WallWindow[] = [];
  used = 0;
  fail = 0;
  constructor(readonly rows: Cdr9Record[]) {
    super();
  }
  async streamWindow(window: WallWindow, sink: RecordSink): Promise<SourceOutcome> {
    this.used++;
    this.calls.push(window);
    if (this.fail > 0) {
      this.fail--;
      return { kind: 'unavailable', attempts: 3, lastError: 'reset' };
    }
    const rows = this.rows
      .map((record) => ({ record, wall: t(record.date) }))
      .filter((r) => r.wall >= window.from && r.wall <= window.to);
    await streamHeld(sink, rows);
    return { kind: 'records', possiblyTruncated: false };
  }
  budget(): BudgetSnapshot {
    return {
      day: '2026-03-10',
      used: this.used,
      limit: undefined,
      remaining: undefined,
      resetsAt: 0,
    };
  }
  restoreBudget(): void {}
  retryToken(): void {}
}

/** Keeps what each committed transaction held. */
class CommittedKeys extends EventPublisher {
  readonly events: string[] = [];
  readonly progressWrites: number[] = [];
  prepare = () => Promise.resolve();
  claim = () => Promise.resolve();
  begin(): PublishTransaction {
    const pending: string[] = [];
    return {
      send: (events) => {
        pending.push(...events.map((e) => e.key));
        return Promise.resolve();
      },
      commit: (checkpoint) => {
        this.events.push(...pending);
        this.progressWrites.push(checkpoint.length);
        return Promise.resolve();
      },
      abort: () => Promise.resolve(),
    };
  }
  maxEventBytes = () => 1024 * 1024;
  close = () => Promise.resolve();
}

const rows: Cdr9Record[] = Array.from({ length: 24 }, (_, h) => ({
  channel: 'campaign-7',
  date: `2026-03-09 ${String(h).padStart(2, '0')}:30:00`,
  from: 'a@x.co',
  to: `c${h}@x.co`,
  subject: `s${h}`,
  body: `b${h}`,
}));
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
    const source = new HourlySource(rows);
    const publisher = new CommittedKeys();
    // Everything but 03:30 and 08:30 was published by the live poll.
    const published = new Set(rows.filter((_, h) => h !== 3 && h !== 8).map(keyOf));
    const pass = new ReconcilePass({
      range,
      source,
      publisher,
      published: { events: published, deadLetters: new Set() },
      density: 4 / 3600, // windows of about 45 records at the target: 12 h in 1 call
      settings: { operation: OPERATION },
    });
    const steps = await runToEnd(pass);

    expect(publisher.events.sort()).toEqual([keyOf(rows[3]), keyOf(rows[8])].sort());
    expect(publisher.progressWrites.every((n) => n === 0)).toBe(true);
    // No call asks for anything after the range's end (one second more: date_end may be exclusive).
    expect(Math.max(...source.calls.map((c) => c.to))).toBeLessThanOrEqual(range.last + 1);
    const end = steps.at(-1)!;
    expect(end).toMatchObject({ kind: 'ended', outcome: 'completed' });
    expect(steps.reduce((n, s) => n + s.found, 0)).toBe(2);
    expect(steps.reduce((n, s) => n + s.calls, 0)).toBe(source.used);
    expect(pass.tally).toMatchObject({ events: 2, alreadyPublished: 10 });
  });

  it('ends as failed when the API gives no answer, having published nothing twice', async () => {
    const source = new HourlySource(rows);
    source.fail = 1;
    const publisher = new CommittedKeys();
    const pass = new ReconcilePass({
      range,
      source,
      publisher,
      published: { events: new Set(), deadLetters: new Set() },
      density: undefined,
      settings: { operation: OPERATION },
    });
    const [step] = await runToEnd(pass);
    expect(step).toMatchObject({ kind: 'ended', outcome: 'failed', found: 0, calls: 1 });
    expect(publisher.events).toEqual([]);
  });
});
