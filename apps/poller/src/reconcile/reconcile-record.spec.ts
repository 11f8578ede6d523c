import { parseWallTime } from '@app/contracts';
import { decodePassRecord, describePassRecord, encodePassRecord } from './reconcile-record.js';

const t = (s: string) => parseWallTime(s)!;

describe('the pass record', () => {
  const record = {
    slot: t('2026-03-10 03:00:00'),
    from: t('2026-03-07 03:00:00'),
    last: t('2026-03-10 01:58:59'),
    startedAt: '2026-03-10T08:00:01.000Z',
    finished: {
      outcome: 'completed' as const,
      at: '2026-03-10T08:01:30.000Z',
      found: 4,
      deadLetters: 0,
      alreadyPublished: 179_996,
      calls: 5,
    },
  };

  it('is kept under <server>/reconcile, readable by a person, and read back whole', () => {
    const message = encodePassRecord('0010', record);
    expect(message.key).toBe('0010/reconcile');
    expect(JSON.parse(message.value!)).toMatchObject({ slot: '2026-03-10 03:00:00' });
    expect(decodePassRecord(message.value)).toEqual(record);
  });

  it('a missing or foreign record reads as none', () => {
    expect(decodePassRecord(undefined)).toBeUndefined();
    expect(decodePassRecord('not json')).toBeUndefined();
    expect(
      decodePassRecord(JSON.stringify({ version: 99, slot: '2026-03-10 03:00:00' })),
    ).toBeUndefined();
  });

  it('shows a running pass as such', () => {
    const { finished: _f, ...running } = record;
    expect(describePassRecord(running)).toMatchObject({
      outcome: expect.stringMatching(/^running/),
    });
    expect(describePassRecord(record)).toMatchObject({
      found: 4,
      range: '2026-03-07 03:00:00 .. 2026-03-10 01:58:59',
    });
  });
});
