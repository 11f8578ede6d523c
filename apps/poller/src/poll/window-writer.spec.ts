import { idempotencyKey, parseWallTime, type Cdr9Record } from '@app/contracts';
import {
  EventPublisher,
  type OutgoingMessage,
  type PublishTransaction,
} from '../ports/event-publisher.port.js';
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

/** Writes down what each transaction was sent and how it ended. */
class LoggingPublisher extends EventPublisher {
  sent: Array<{ events: OutgoingMessage[]; deadLetters: OutgoingMessage[] }> = [];
  ended: string[] = [];
  prepare = () => Promise.resolve();
  claim = () => Promise.resolve();
  maxEventBytes = () => 1 << 20;
  close = () => Promise.resolve();
  begin(): PublishTransaction {
    return {
      send: (events, deadLetters) => {
        this.sent.push({ events, deadLetters });
        return Promise.resolve();
      },
      commit: (checkpoint) => {
        this.ended.push(`commit ${checkpoint.length}`);
        return Promise.resolve();
      },
      abort: () => {
        this.ended.push('abort');
        return Promise.resolve();
      },
    };
  }
}

function writer(publisher: EventPublisher, seen = new Map<string, number>()) {
  return new WindowWriter(publisher, {
    window,
    operation,
    maxEventBytes: 1 << 20,
    detectedAt: new Date('2026-03-01T16:00:00Z'),
    seen,
    mode: 'stream',
  });
}

describe('WindowWriter', () => {
  it('sends what each chunk mapped, drops keys published before and repeats in the window', async () => {
    const publisher = new LoggingPublisher();
    const old = email('10:01:00', 1);
    const w = writer(publisher, new Map([[idempotencyKey('0010', old, 1), t('10:01:00')]]));
    const bad = { raw: { date: '2026-03-01 10:02:00', to: 5 }, reason: 'to: expected string' };
    w.accept({ ok: true, record: old, wall: t('10:01:00') });
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    w.accept({ ok: false, ...bad });
    await w.drain();
    w.accept({ ok: false, ...bad }); // the same invalid record again: the same dead letter
    w.accept({ ok: true, record: email('11:30:00', 3), wall: t('11:30:00') });
    await w.drain();
    await w.commit((published) => {
      expect([...published.values()]).toEqual([t('10:03:00'), t('10:02:00')]);
      return [];
    });
    expect(publisher.sent.map((s) => [s.events.length, s.deadLetters.length])).toEqual([[1, 1]]);
    expect(publisher.ended).toEqual(['commit 0']);
    expect(w.tally).toEqual({
      valid: 3,
      invalid: 2,
      events: 1,
      deadLetters: 1,
      duplicates: 1,
      oversize: 0,
      outOfWindow: 1,
    });
  });

  it('starts over after a discard: what the failed attempt sent is aborted and forgotten', async () => {
    const publisher = new LoggingPublisher();
    const w = writer(publisher);
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    await w.drain();
    await w.discard();
    w.accept({ ok: true, record: email('10:03:00', 2), wall: t('10:03:00') });
    await w.commit(() => []);
    expect(publisher.ended).toEqual(['abort', 'commit 0']);
    expect(w.tally.events).toBe(1);
    expect(w.keysPublished.size).toBe(1);
  });
});
