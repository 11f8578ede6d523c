import { formatWallTime, wallTimeOf } from '@app/contracts';
import { MemoryKafka, MemorySource } from '../ports/testing/index.js';
import type { CycleOutcome } from './cycle-outcome.js';
import {
  email,
  publishedIds,
  pushEveryThreeHours,
  rig,
  t,
  ZONE,
} from './testing/poll-cycle-rig.js';

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
});
