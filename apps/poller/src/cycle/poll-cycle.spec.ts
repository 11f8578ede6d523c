import {
  decodeEmailSent,
  formatWallTime,
  parseWallTime,
  wallTimeOf,
  type Cdr9Record,
  type WallSeconds,
} from '@app/contracts';
import { CorruptCheckpointError } from '../ports/checkpoint-store.port.js';
import {
  email as anEmail,
  MemoryCheckpointStore,
  MemoryKafka,
  MemoryPublisher,
  MemorySource,
} from '../ports/testing/index.js';

import type { CycleOutcome } from './cycle-outcome.js';
import { PollCycle } from './poll-cycle.js';
import { WOLKVOX_LIMITS } from './window-planner.js';

const ZONE = 'America/Bogota';
const t = (s: string): WallSeconds => parseWallTime(s)!;
/** A routing point's email (the cycle's tests read one channel). */
const email = (date: string, n: number, extra: Partial<Cdr9Record> = {}) =>
  anEmail(date, n, { channel: 'email-route-1', ...extra });

function rig(
  source: MemorySource,
  kafka = new MemoryKafka(),
  nowIso = '2026-03-10T12:00:00-05:00',
  instanceId?: string,
  lookbackSeconds = 3600,
) {
  let now = new Date(nowIso);
  const publisher = new MemoryPublisher(kafka);
  const cycle = new PollCycle(source, publisher, new MemoryCheckpointStore(kafka), {
    operation: { server: '0010', timeZone: ZONE },
    startAt: new Date('2026-03-01T00:00:00-05:00'),
    lookbackSeconds,
    settleSeconds: 60,
    unrecordedCallAllowance: 0,
    limits: { ...WOLKVOX_LIMITS, targetRecords: 45 },
    clock: () => now,
    instanceId,
    leaseMs: 30_000,
  });
  source.now = () => wallTimeOf(now, ZONE);
  const runUntilCaughtUp = async (max = 500): Promise<CycleOutcome[]> => {
    const outcomes: CycleOutcome[] = [];
    for (let i = 0; i < max; i++) {
      const outcome = await cycle.run();
      outcomes.push(outcome);
      if (outcome.kind === 'caught-up' || outcome.kind === 'fenced') return outcomes;
    }
    throw new Error('did not catch up');
  };
  return {
    cycle,
    kafka,
    publisher,
    runUntilCaughtUp,
    setNow: (iso: string) => (now = new Date(iso)),
  };
}

/** A record every three hours from 2026-03-01 to 2026-03-08, numbered from `n`; the next number. */
function pushEveryThreeHours(source: MemorySource, n: number): number {
  for (let d = 1; d <= 8; d++)
    for (let h = 0; h < 24; h += 3)
      source.rows.push({
        record: email(`2026-03-0${d} ${String(h).padStart(2, '0')}:00:00`, n++),
        visibleAt: 0,
      });
  return n;
}

function publishedIds(kafka: MemoryKafka): string[] {
  return kafka.events.map((m) => {
    const decoded = decodeEmailSent({
      key: m.key,
      value: m.value,
      headers: m.headers,
    });
    if (!decoded.ok) throw new Error(decoded.error);
    return decoded.event.data.record.to;
  });
}

describe('PollCycle', () => {
  it('backfills a range with a burst, splitting cut windows, publishing every record once', async () => {
    const source = new MemorySource();
    source.limit = 60;
    let n = pushEveryThreeHours(source, 0);
    for (let s = 0; s < 150; s++)
      source.rows.push({
        record: email(`2026-03-05 10:00:${String(s % 60).padStart(2, '0')}`, n++),
        visibleAt: 0,
      });
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    const ids = publishedIds(kafka);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    expect(outcomes.some((o) => o.kind === 'split')).toBe(true);
    // What the cut responses streamed into their transactions was aborted, never committed.
    expect(publisher.aborted).toBeGreaterThan(0);
    for (const call of source.calls) expect(call.to - call.from).toBeLessThan(31 * 86_400);
  });

  describe('whatever the API makes of its bounds and order', () => {
    const readings = ['inclusive', 'end-exclusive', 'start-exclusive', 'exclusive'] as const;
    const orders = ['oldest', 'newest', 'shuffled'] as const;
    const cases = readings.flatMap((bounds) => orders.map((order) => ({ bounds, order })));

    it.each(cases)(
      'publishes every record once, with records on every second: $bounds, $order first',
      async ({ bounds, order }) => {
        const source = new MemorySource();
        source.limit = 60;
        source.bounds = bounds;
        source.order = order;
        let n = pushEveryThreeHours(source, 0);
        // A record in every second of ten minutes: every window edge and split in there has one.
        const burst = t('2026-03-05 10:00:00');
        for (let s = 0; s < 600; s++)
          source.rows.push({ record: email(formatWallTime(burst + s), n++), visibleAt: 0 });
        const { kafka, runUntilCaughtUp } = rig(source);
        const outcomes = await runUntilCaughtUp();
        const ids = publishedIds(kafka);
        expect(ids).toHaveLength(n);
        expect(new Set(ids).size).toBe(n);
        expect(outcomes.filter((o) => o.kind === 'split').length).toBeGreaterThan(0);
        for (const call of source.calls) expect(call.to - call.from).toBeLessThan(31 * 86_400);
      },
    );

    it('stops reading the second beyond a bound the API has shown inclusive', async () => {
      const source = new MemorySource();
      // The first call of the sweep asks for 2026-02-28 23:59:59 onwards: a record dated at it
      // proves date_ini inclusive.
      source.rows.push({ record: email('2026-02-28 23:59:59', 0), visibleAt: 0 });
      source.rows.push({ record: email('2026-03-02 10:00:00', 1), visibleAt: 0 });
      const { runUntilCaughtUp, setNow, cycle } = rig(source);
      await runUntilCaughtUp();
      const [first] = source.calls;
      expect(first.from).toBe(t('2026-02-28 23:59:59'));
      setNow('2026-03-10T12:30:00-05:00');
      const outcome = await cycle.run();
      expect(outcome.kind).toBe('published');
      const { window } = outcome as Extract<CycleOutcome, { kind: 'published' }>;
      const last = source.calls[source.calls.length - 1];
      // date_ini is asked for exactly now; date_end, never proven, still a second beyond.
      expect(last).toEqual({ from: window.from, to: window.to + 1 });
    });
  });

  it('continues a split after a restart instead of finding it again', async () => {
    const source = new MemorySource();
    source.limit = 60;
    let n = 0;
    const burst = t('2026-03-05 10:00:00');
    for (let s = 0; s < 400; s++)
      source.rows.push({ record: email(formatWallTime(burst + s * 3), n++), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const first = rig(source, kafka);
    let split: CycleOutcome | undefined;
    for (let i = 0; i < 20 && !split; i++) {
      const outcome = await first.cycle.run();
      if (outcome.kind === 'split') split = outcome;
    }
    expect(split?.kind).toBe('split');
    const retry = (split as Extract<CycleOutcome, { kind: 'split' }>).retry;
    // Killed right after the split; the next poller's first call is the pending piece.
    const callsBefore = source.calls.length;
    const second = rig(source, kafka, '2026-03-10T12:00:05-05:00');
    await second.runUntilCaughtUp();
    expect(source.calls[callsBefore]).toEqual({ from: retry.from - 1, to: retry.to + 1 });
    const ids = publishedIds(kafka);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
  });

  it('sizes each new window by the density of everything the sweep has read so far', async () => {
    const source = new MemorySource();
    source.limit = 60;
    let n = 0;
    // Steady traffic with a burst on day 3: the window after the burst is sized by the sweep's
    // density, not by the burst's alone.
    for (let d = 1; d <= 9; d++)
      for (let h = 0; h < 24; h += 2)
        source.rows.push({
          record: email(`2026-03-0${d} ${String(h).padStart(2, '0')}:30:00`, n++),
          visibleAt: 0,
        });
    for (let s = 0; s < 40; s++)
      source.rows.push({
        record: email(`2026-03-03 10:00:${String(s).padStart(2, '0')}`, n++),
        visibleAt: 0,
      });
    const { runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    const sweepStart = t('2026-03-01 00:00:00');
    let read = 0;
    let checked = 0;
    let retrying = false;
    for (const outcome of outcomes) {
      if (outcome.kind === 'split') retrying = true;
      if (outcome.kind !== 'published') continue;
      const { window } = outcome;
      const planned = window.to - window.from + 1;
      const end = t('2026-03-10 11:59:00'); // the present less the settle lag, at most
      if (read > 0 && !retrying && window.to < end) {
        const density = read / (window.from - sweepStart);
        expect(planned).toBe(Math.min(31 * 86_400, Math.max(1, Math.floor(45 / density))));
        checked++;
      }
      read += outcome.fetched;
      retrying = false;
    }
    expect(checked).toBeGreaterThan(1);
  });

  it('gives N identical records N distinct events', async () => {
    const source = new MemorySource();
    for (let i = 0; i < 3; i++)
      source.rows.push({ record: email('2026-03-02 10:00:00', 7), visibleAt: 0 });
    const { kafka, runUntilCaughtUp } = rig(source);
    await runUntilCaughtUp();
    expect(new Set(kafka.events.map((e) => e.key)).size).toBe(3);
  });

  it('publishes late records found in the look-back, and nothing twice across sweeps', async () => {
    const source = new MemorySource();
    const { kafka, runUntilCaughtUp, setNow } = rig(source);
    source.rows.push({
      record: email('2026-03-10 11:30:00', 1),
      visibleAt: t('2026-03-10 11:30:05'),
    });
    await runUntilCaughtUp();
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
    // A record dated 11:40 shows up only at 12:20; the next poll re-reads the look-back.
    source.rows.push({
      record: email('2026-03-10 11:40:00', 2),
      visibleAt: t('2026-03-10 12:20:00'),
    });
    setNow('2026-03-10T12:05:00-05:00');
    await runUntilCaughtUp();
    setNow('2026-03-10T12:25:00-05:00');
    await runUntilCaughtUp();
    setNow('2026-03-10T12:30:00-05:00');
    await runUntilCaughtUp();
    expect(publishedIds(kafka)).toEqual(['c1@x.co', 'c2@x.co']);
  });

  it('ends each sweep under steady traffic, so the look-back is re-read and the seen keys stay bounded', async () => {
    const source = new MemorySource();
    const { kafka, cycle, setNow, runUntilCaughtUp } = rig(
      source,
      new MemoryKafka(),
      '2026-03-10T11:00:00-05:00',
      undefined,
      300,
    );
    let clock = Date.parse('2026-03-10T11:00:00-05:00');
    let n = 0;
    const outcomes: CycleOutcome[] = [];
    // Forty minutes of one email a second, one cycle every 2 s with no wait between them.
    for (let i = 0; i < 1200; i++) {
      clock += 2000;
      const iso = new Date(clock).toISOString();
      setNow(iso);
      const wall = wallTimeOf(new Date(clock), ZONE);
      source.rows.push({ record: email(formatWallTime(wall - 62), n++), visibleAt: wall });
      source.rows.push({ record: email(formatWallTime(wall - 61), n++), visibleAt: wall });
      // A late one: dated 200 s back (inside the 300 s look-back), visible from now on.
      if (i % 50 === 0)
        source.rows.push({ record: email(formatWallTime(wall - 200), n++), visibleAt: wall });
      outcomes.push(await cycle.run());
    }
    setNow(new Date(clock + 120_000).toISOString());
    await runUntilCaughtUp();
    await runUntilCaughtUp();
    expect(outcomes.filter((o) => o.kind === 'caught-up').length).toBeGreaterThan(50);
    const ids = publishedIds(kafka);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    expect(cycle.progress!.seen.size).toBeLessThan(1000); // the look-back's keys, not the whole run's
  });

  it('resumes after a restart from the checkpoint alone, with no duplicate and no gap', async () => {
    const source = new MemorySource();
    for (let i = 0; i < 40; i++)
      source.rows.push({
        record: email(`2026-03-10 11:${String(10 + i).padStart(2, '0')}:00`, i),
        visibleAt: 0,
      });
    const kafka = new MemoryKafka();
    const first = rig(source, kafka);
    await first.runUntilCaughtUp();
    for (let i = 40; i < 45; i++)
      source.rows.push({
        record: email(`2026-03-10 11:${String(10 + i).padStart(2, '0')}:30`, i),
        visibleAt: 0,
      });
    const second = rig(source, kafka, '2026-03-10T12:10:00-05:00');
    await second.runUntilCaughtUp();
    const ids = publishedIds(kafka);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  it('moves nothing when publishing fails, and recovers on the next cycle', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    publisher.failNextCommit = 1;
    const outcomes = await runUntilCaughtUp();
    expect(outcomes[0].kind).toBe('publish-failed');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('publishes nothing of a read that failed midway and was retried, and all of the retry', async () => {
    const source = new MemorySource();
    for (let i = 0; i < 10; i++)
      source.rows.push({ record: email(`2026-03-09 10:00:0${i}`, i), visibleAt: 0 });
    source.failAttemptAfter = 4;
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    await runUntilCaughtUp();
    expect(publisher.aborted).toBe(4);
    expect(publishedIds(kafka).sort()).toEqual(source.rows.map((r) => r.record.to).sort());
  });

  it('moves nothing when Kafka refuses a send midway, and recovers on the next cycle', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    publisher.failNextSend = 1;
    const outcomes = await runUntilCaughtUp();
    expect(outcomes[0].kind).toBe('publish-failed');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('reads a window again held whole when identical records differ outside the six fields', async () => {
    const source = new MemorySource();
    // The same email twice, told apart only by a field the key leaves out; listed "y" first.
    source.rows.push({ record: email('2026-03-09 10:00:00', 1, { agent: 'x' }), visibleAt: 0 });
    source.rows.push({ record: email('2026-03-09 10:00:00', 1, { agent: 'y' }), visibleAt: 0 });
    source.rows.push({ record: email('2026-03-09 11:00:00', 2), visibleAt: 0 });
    source.reverseAfterCut = true;
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    expect(outcomes.map((o) => o.kind)).toContain('read-whole');
    expect(publisher.aborted).toBeGreaterThan(0);
    const counted = outcomes.reduce((n, o) => n + (o.kind === 'published' ? o.events : 0), 0);
    expect(counted).toBe(3);
    // Numbered by canonical order (agent "x" first), whatever order the API listed them in.
    const byAgent = Object.fromEntries(
      kafka.events.map((m) => {
        const decoded = decodeEmailSent({ key: m.key, value: m.value, headers: m.headers });
        if (!decoded.ok) throw new Error(decoded.error);
        const { record, occurrence } = decoded.event.data;
        return [String((record as { agent?: string }).agent), occurrence];
      }),
    );
    expect(byAgent).toEqual({ x: 1, y: 2, undefined: 1 });
  });

  it('stops for good once another poller of the operation takes over', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const older = rig(source, kafka);
    await older.cycle.load();
    const newer = rig(source, kafka);
    await newer.runUntilCaughtUp();
    const outcome = await older.cycle.run();
    expect(outcome.kind).toBe('fenced');
    expect((await older.cycle.run()).kind).toBe('fenced');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('leaves a live owner alone, takes over once its lease lapses, and fences it', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    const callsBefore = source.calls.length;
    const newcomer = rig(source, kafka, '2026-03-10T12:00:10-05:00', 'pod-b');
    expect(await newcomer.cycle.run()).toMatchObject({ kind: 'standby', owner: { id: 'pod-a' } });
    expect(source.calls.length).toBe(callsBefore); // the standby called nothing

    newcomer.setNow('2026-03-10T12:02:00-05:00'); // pod-a's lease (30 s) has lapsed
    source.rows.push({ record: email('2026-03-10 12:00:20', 2), visibleAt: 0 });
    await newcomer.runUntilCaughtUp();
    expect((await owner.cycle.run()).kind).toBe('fenced');
    expect(publishedIds(kafka)).toEqual(['c1@x.co', 'c2@x.co']);
  });

  it('hands over at once when the owner releases its lease', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    await owner.cycle.release();
    const newcomer = rig(source, kafka, '2026-03-10T12:00:01-05:00', 'pod-b');
    expect((await newcomer.cycle.run()).kind).not.toBe('standby');
  });

  it('renews its lease with heartbeats while idle', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    owner.setNow('2026-03-10T12:00:25-05:00');
    await owner.cycle.saveCheckpoint();
    const newcomer = rig(source, kafka, '2026-03-10T12:00:50-05:00', 'pod-b');
    expect((await newcomer.cycle.run()).kind).toBe('standby');
  });

  it('publishes what a single overflowing second returned, and says so', async () => {
    const source = new MemorySource();
    source.limit = 5;
    for (let i = 0; i < 8; i++)
      source.rows.push({ record: email('2026-03-09 10:00:00', i), visibleAt: 0 });
    const { runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    expect(outcomes).toContainEqual(
      expect.objectContaining({ kind: 'published', overflowingSecond: true, events: 5 }),
    );
  });

  it('says the checkpoint cannot be read, and reads nothing, instead of reporting Kafka failures', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    kafka.unreadable = new CorruptCheckpointError(
      'checkpoint version 2 was written by a newer release of the poller (this one reads version 1)',
    );
    const { cycle } = rig(source, kafka);
    const outcome = await cycle.run();
    expect(outcome).toMatchObject({
      kind: 'checkpoint-unreadable',
      error: { message: expect.stringMatching(/written by a newer release/) },
    });
    expect(source.calls).toHaveLength(0);
    expect(kafka.events).toHaveLength(0);
  });

  it('needs POLL_START_AT only when no checkpoint exists', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const cycle = new PollCycle(
      source,
      new MemoryPublisher(kafka),
      new MemoryCheckpointStore(kafka),
      {
        operation: { server: '0010', timeZone: ZONE },
        startAt: undefined,
        lookbackSeconds: 0,
        settleSeconds: 0,
        unrecordedCallAllowance: 0,
      },
    );
    await expect(cycle.run()).rejects.toThrow(/POLL_START_AT/);
  });
});
