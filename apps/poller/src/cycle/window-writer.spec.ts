import { deadLetterKey, idempotencyKey, parseWallTime, type Cdr9Record } from '@app/contracts';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import { MemoryPublisher } from '../ports/testing/index.js';
import { WindowWriter } from './window-writer.js';

const operation = { server: '0010', timeZone: 'America/Bogota' };
const t = (s: string): number => parseWallTime(`2026-03-01 ${s}`)!;
const window = { from: t('10:00:00'), to: t('10:59:59') };

function email(time: string, n: number): Cdr9Record {
  return {
    channel: 'campaign-7',
    date: `2026-03-01 ${time}`,
    from: 'a@x.co',
    to: `c${n}@x.co`,
    subject: `s${n}`,
    body: `<p>${n}</p>`,
  };
}

/** What each transaction was sent, call by call, and how the transactions ended. */
const sentTo = (publisher: MemoryPublisher) => publisher.kafka.transactions.flatMap((t) => t.sends);
const endsOf = (publisher: MemoryPublisher) => publisher.kafka.transactions.map((t) => t.ended);

function writer(publisher: EventPublisher, seen = new Map<string, number>(), op = operation) {
  return new WindowWriter(publisher, {
    window,
    operation: op,
    maxEventBytes: 1 << 20,
    detectedAt: new Date('2026-03-01T16:00:00Z'),
    seen,
    mode: 'stream',
  });
}

describe('WindowWriter', () => {
  it('sends what each chunk mapped, drops keys published before and repeats in the window', async () => {
    const publisher = new MemoryPublisher();
    const old = email('10:01:00', 1);
    const known = { raw: { date: '2026-02-30 10:04:00', to: 6 }, reason: 'date: bad' };
    const w = writer(
      publisher,
      new Map([
        [idempotencyKey('0010', old, 1), t('10:01:00')],
        [`dlq:${deadLetterKey('0010', known.raw)}`, window.to + 2],
      ]),
    );
    const bad = { raw: { date: '2026-03-01 10:02:00', to: 5 }, reason: 'to: expected string' };
    w.accept({ ok: true, record: old, wall: t('10:01:00') });
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    w.accept({ ok: false, ...bad });
    w.accept({ ok: false, ...known }); // dead-lettered by an earlier read
    await w.drain();
    w.accept({ ok: false, ...bad }); // an identical bad record: a dead letter of its own
    w.accept({ ok: true, record: email('11:30:00', 3), wall: t('11:30:00') });
    await w.drain();
    const published = await w.finish();
    expect([...published.keys()]).toEqual([
      idempotencyKey('0010', email('10:03:00', 2), 1),
      `dlq:${deadLetterKey('0010', bad.raw)}`,
      `dlq:${deadLetterKey('0010', bad.raw, 2)}`,
    ]);
    expect([...published.values()]).toEqual([t('10:03:00'), t('10:02:00'), t('10:02:00')]);
    await w.commit(undefined);
    expect(sentTo(publisher).map((s) => [s.events.length, s.deadLetters.length])).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(endsOf(publisher)).toEqual(['committed']);
    expect(w.tally).toEqual({
      valid: 3,
      invalid: 3,
      events: 1,
      deadLetters: 2,
      duplicates: 1,
      oversize: 0,
      outOfWindow: 1,
    });
  });

  it('maps nothing of a record whose key was published: the key comes first', async () => {
    // An unknown zone makes mapping throw: a writer that mapped before looking at the key fails.
    const broken = { server: '0010', timeZone: 'Nowhere/Atlantis' };
    const records = [email('10:01:00', 1), email('10:02:00', 2)];
    const seen = new Map(records.map((r) => [idempotencyKey('0010', r, 1), t('10:01:00')]));
    const publisher = new MemoryPublisher();
    const w = writer(publisher, seen, broken);
    for (const record of records) w.accept({ ok: true, record, wall: parseWallTime(record.date)! });
    await w.finish();
    await w.commit(undefined);
    expect(w.tally).toMatchObject({ valid: 2, events: 0, duplicates: 2 });
    expect(sentTo(publisher)).toEqual([]);
    // The same writer does map a new key (and so throws on the zone).
    const fresh = email('10:03:00', 3);
    expect(() =>
      writer(publisher, seen, broken).accept({ ok: true, record: fresh, wall: t('10:03:00') }),
    ).toThrow(RangeError);
  });

  it('reads the same window whole to the same keys, skipping what was published', async () => {
    const same = email('10:05:00', 1);
    const bad = { raw: { date: '2026-02-30 10:00:00' }, reason: 'date: bad' };
    const feed = (w: WindowWriter) => {
      w.accept({ ok: true, record: same, wall: t('10:05:00') });
      w.accept({ ok: true, record: { ...same }, wall: t('10:05:00') });
      w.accept({ ok: false, ...bad });
      w.accept({ ok: false, ...bad });
    };
    const streamed = writer(new MemoryPublisher());
    feed(streamed);
    const keys = [...(await streamed.finish())];
    await streamed.commit(undefined);
    expect(keys).toHaveLength(4);
    // Read again whole, with the first key published meanwhile: the other three, the same keys.
    const held = new WindowWriter(new MemoryPublisher(), {
      window,
      operation,
      maxEventBytes: 1 << 20,
      detectedAt: new Date('2026-03-01T16:00:00Z'),
      seen: new Map(keys.slice(0, 1)),
      mode: 'whole',
    });
    feed(held);
    expect([...(await held.finish())]).toEqual(keys.slice(1));
    await held.commit(undefined);
    expect(held.tally).toMatchObject({ events: 1, deadLetters: 2, duplicates: 1 });
  });

  it('starts over after a discard: what the failed attempt sent is aborted and forgotten', async () => {
    const publisher = new MemoryPublisher();
    const w = writer(publisher);
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    await w.drain();
    await w.discard();
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    expect((await w.finish()).size).toBe(1);
    await w.commit(undefined);
    expect(endsOf(publisher)).toEqual(['aborted', 'committed']);
    expect(w.tally.events).toBe(1);
  });
});
