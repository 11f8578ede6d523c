import type { KafkaMessage } from 'kafkajs';
import { ProgressLog, type ProgressTopicRead } from './progress-log.js';

/** A progress topic of one partition held in memory, read as readTopicToEnd reads it. */
class FakeTopic {
  readonly records: Array<{ key: string; value: string | null; committed: boolean }> = [];
  readonly reads: Array<{ from: string | undefined; uncommitted: boolean }> = [];
  failNext = false;

  append(key: string, value: string | null, committed = true): void {
    this.records.push({ key, value, committed });
  }

  read: ProgressTopicRead = async ({ fromOffsets, readUncommitted, onMessage, onEnd }) => {
    this.reads.push({ from: fromOffsets?.[0], uncommitted: readUncommitted });
    const end = this.records.length;
    for (let offset = Number(fromOffsets?.[0] ?? 0); offset < end; offset++) {
      const { key, value, committed } = this.records[offset];
      if (!committed && !readUncommitted) continue;
      if (this.failNext && offset === end - 1) {
        this.failNext = false;
        throw new Error('broker gone');
      }
      const message = { key: Buffer.from(key), value: value === null ? null : Buffer.from(value) };
      await onMessage({ partition: 0, offset: String(offset), message: message as KafkaMessage });
    }
    onEnd(new Map([[0, String(end)]]));
  };
}

describe('ProgressLog', () => {
  it("reads on from where the last look stopped, and answers with one operation's keys", async () => {
    const topic = new FakeTopic();
    const log = new ProgressLog(topic.read);
    topic.append('0010', 'head-1');
    topic.append('0020', 'other');
    expect(await log.latest('0010', false)).toEqual(new Map([['0010', 'head-1']]));
    topic.append('0010/seen/0', 'chunk');
    topic.append('0010', 'head-2');
    expect(await log.latest('0010', false)).toEqual(
      new Map([
        ['0010', 'head-2'],
        ['0010/seen/0', 'chunk'],
      ]),
    );
    expect(await log.latest('0020', false)).toEqual(new Map([['0020', 'other']]));
    expect(topic.reads.map((r) => r.from)).toEqual([undefined, '2', '4']);
  });

  it('keeps the committed and the uncommitted pictures apart', async () => {
    const topic = new FakeTopic();
    const log = new ProgressLog(topic.read, (key) => !key.includes('/seen/'));
    topic.append('0010/seen/0', 'chunk');
    topic.append('0010/lease', 'open', false);
    expect(await log.latest('0010', true)).toEqual(new Map([['0010/lease', 'open']]));
    expect(await log.latest('0010', false)).toEqual(new Map([['0010/seen/0', 'chunk']]));
  });

  it('moves nothing on a read that failed midway, and reads the same part again next time', async () => {
    const topic = new FakeTopic();
    const log = new ProgressLog(topic.read);
    topic.append('0010', 'head-1');
    await log.latest('0010', false);
    topic.append('0010/seen/0', 'chunk');
    topic.append('0010', 'head-2');
    topic.failNext = true;
    await expect(log.latest('0010', false)).rejects.toThrow('broker gone');
    expect(await log.latest('0010', false)).toEqual(
      new Map([
        ['0010', 'head-2'],
        ['0010/seen/0', 'chunk'],
      ]),
    );
    expect(topic.reads.map((r) => r.from)).toEqual([undefined, '1', '1']);
  });

  it('never takes a key back to an older value when a read delivers what it held already', async () => {
    const topic = new FakeTopic();
    topic.append('0010', 'head-1');
    topic.append('0010', 'head-2');
    let looks = 0;
    // The second look's fetch starts before its seek takes effect: offset 0 comes first.
    const early: ProgressTopicRead = async (options) => {
      if (looks++ === 1) {
        const message = { key: Buffer.from('0010'), value: Buffer.from('head-1') };
        await options.onMessage({ partition: 0, offset: '0', message: message as KafkaMessage });
      }
      return topic.read(options);
    };
    const log = new ProgressLog(early);
    expect((await log.latest('0010', false)).get('0010')).toBe('head-2');
    topic.append('0010/lease', 'renewed');
    expect(await log.latest('0010', false)).toEqual(
      new Map([
        ['0010', 'head-2'],
        ['0010/lease', 'renewed'],
      ]),
    );
  });

  it('serves looks one after the other, each up to the end when it started', async () => {
    const topic = new FakeTopic();
    const log = new ProgressLog(topic.read);
    topic.append('0010', 'head-1');
    const first = log.latest('0010', false);
    topic.append('0010', 'head-2');
    const second = log.latest('0010', false);
    expect((await first).get('0010')).toBe('head-2');
    expect((await second).get('0010')).toBe('head-2');
    // The second started after the first ended, from where it stopped.
    expect(topic.reads.map((r) => r.from)).toEqual([undefined, '2']);
  });
});
