import { parseWallTime, type Cdr9Record, type WallSeconds } from '@app/contracts';
import { RANGE_RUN } from '../cycle/cycle-settings.js';
import { limitsFor } from '../cycle/window-planner.js';
import { email, MemoryPublisher, MemorySource } from '../ports/testing/index.js';
import { RangeRunner, type RangeStep } from './range-runner.js';

const t = (s: string): WallSeconds => parseWallTime(s)!;
const range = { from: t('2026-03-09 00:00:00'), last: t('2026-03-09 11:59:59') };

/** cdr_9 over half a day, one email an hour. */
const rows: Cdr9Record[] = Array.from({ length: 12 }, (_, h) =>
  email(`2026-03-09 ${String(h).padStart(2, '0')}:30:00`, h),
);

function runner(source: MemorySource, publisher: MemoryPublisher, clock = { ms: 0 }) {
  return new RangeRunner({
    range,
    source,
    publisher,
    published: { events: new Set(), deadLetters: new Set() },
    settings: {
      ...RANGE_RUN,
      operation: { server: '0010', timeZone: 'America/Bogota' },
      lookbackSeconds: 0,
      unrecordedCallAllowance: 0,
      clock: () => new Date('2026-03-10T12:00:00-05:00'),
      // Windows aim at 3 records: 3 hours at one an hour, so the range takes 4.
      limits: limitsFor(4),
    },
    start: { density: 1 / 3600 },
    now: () => clock.ms,
    random: () => 0.5,
  });
}

describe('RangeRunner', () => {
  it('moves its resume point past each window committed, one window a step', async () => {
    const source = new MemorySource(rows);
    const run = runner(source, new MemoryPublisher());
    const ends: WallSeconds[] = [];
    let step: RangeStep;
    do {
      step = await run.step();
      if (step.kind === 'read' && step.outcome.kind === 'published') {
        expect(run.resumeAt).toBe(step.outcome.window.to + 1);
        ends.push(run.resumeAt);
      }
    } while (step.kind === 'read' && !step.complete);
    expect(step).toMatchObject({ kind: 'read', complete: true });
    expect(ends).toEqual([3, 6, 9, 12].map((h) => range.from + h * 3600));
    expect(run.resumeAt).toBeGreaterThan(range.last);
    expect(run.tally.events).toBe(12);
  });

  it('after a failed publish, waits its backoff, then reads on from the last window committed', async () => {
    const source = new MemorySource(rows);
    const publisher = new MemoryPublisher();
    const clock = { ms: 0 };
    const run = runner(source, publisher, clock);
    await run.step();
    await run.step();
    const resumeAt = run.resumeAt;
    publisher.failNextCommit = 1;
    const failed = await run.step();
    expect(failed).toMatchObject({ kind: 'retry', inMs: 1500 });
    const calls = source.calls.length;
    // Before the retry is due, a step touches neither the API nor Kafka.
    clock.ms += 1000;
    expect(await run.step()).toMatchObject({ kind: 'retry', inMs: 500 });
    expect(source.calls).toHaveLength(calls);
    clock.ms += 500;
    const retried = await run.step();
    expect(retried).toMatchObject({ kind: 'read', outcome: { kind: 'published' } });
    // The window read again starts where the committed part ended (a second before it: calls
    // are widened on each side the API has not proven inclusive).
    expect(source.calls[calls].from).toBe(resumeAt - 1);
    expect(run.resumeAt).toBeGreaterThan(resumeAt);
  });

  it('stops at the fourth failed publish in a row', async () => {
    const source = new MemorySource(rows);
    const publisher = new MemoryPublisher();
    const clock = { ms: 0 };
    const run = runner(source, publisher, clock);
    publisher.failNextCommit = 4;
    const steps: RangeStep[] = [];
    for (let i = 0; i < 4; i++) {
      const step = await run.step();
      steps.push(step);
      if (step.kind === 'retry') clock.ms += step.inMs;
    }
    expect(steps.map((s) => s.kind)).toEqual(['retry', 'retry', 'retry', 'stopped']);
    expect(steps[3]).toMatchObject({ outcome: { kind: 'publish-failed' } });
    expect(publisher.kafka.events).toEqual([]);
  });
});
