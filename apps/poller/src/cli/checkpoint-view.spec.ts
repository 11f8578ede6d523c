import { parseWallTime } from '@app/contracts';
import type { StoredCheckpoint } from '../kafka/checkpoint-codec.js';
import { budgetView, checkpointView, formatBudget, formatCheckpoint } from './checkpoint-view.js';

const t = (s: string) => parseWallTime(s)!;
const stored: StoredCheckpoint = {
  progress: {
    cursor: t('2026-03-01 10:00:00'),
    settledBefore: t('2026-03-01 09:00:00'),
    seen: new Map([
      ['k1', t('2026-03-01 09:10:00')],
      ['k2', t('2026-03-01 09:20:00')],
    ]),
    budget: { day: '2026-03-01', used: 40 },
  },
  owner: { id: 'poller-0', heartbeatAt: '2026-03-01T15:00:01.000Z' },
  generation: 7,
  chunks: 1,
  writtenAt: '2026-03-01T15:00:01.000Z',
};

describe('checkpoint and budget views', () => {
  it('shows the positions, the lag, the seen keys and the generation', () => {
    const view = checkpointView(
      stored,
      { server: '0010', timeZone: 'America/Bogota', dailyQuota: 1000 },
      t('2026-03-01 10:05:30'),
    );
    expect(view).toMatchObject({
      operation: '0010',
      cursor: '2026-03-01 10:00:00',
      settledBefore: '2026-03-01 09:00:00',
      lagSeconds: 330,
      seenKeys: 2,
      generation: 7,
      owner: { id: 'poller-0', heartbeatAt: '2026-03-01T15:00:01.000Z' },
      budget: { day: '2026-03-01', used: 40, limit: 1000, remaining: 960 },
    });
    expect(formatCheckpoint(view)).toContain('5m 30s behind now');
    expect(formatCheckpoint(view)).toMatch(/^lease\s+held by poller-0/m);
  });

  it("counts the checkpoint's spending only on its own local day", () => {
    const nextDay = budgetView(stored, 1000, t('2026-03-02 00:00:01'));
    expect(nextDay).toMatchObject({ day: '2026-03-02', used: 0, remaining: 1000 });
    expect(nextDay.resetsAt).toBe('2026-03-03 00:00:00');
  });

  it('says when no local quota is set', () => {
    const view = budgetView(stored, undefined, t('2026-03-01 12:00:00'));
    expect(view).toMatchObject({ used: 40, limit: null, remaining: null });
    expect(formatBudget(view)).toMatch(/limit\s+not set/);
  });
});
