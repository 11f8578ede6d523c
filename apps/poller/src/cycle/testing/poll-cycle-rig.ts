import {
  decodeEmailSent,
  parseWallTime,
  wallTimeOf,
  type Cdr9Record,
  type WallSeconds,
} from '@app/contracts';
import {
  email as anEmail,
  MemoryCheckpointStore,
  MemoryKafka,
  MemoryPublisher,
  MemorySource,
} from '../../ports/testing/index.js';
import type { CycleOutcome } from '../cycle-outcome.js';
import { PollCycle } from '../poll-cycle.js';
import { WOLKVOX_LIMITS } from '../window-planner.js';

/** What the poll cycle's specs share: a cycle on the in-memory ports, and its traffic. */

export const ZONE = 'America/Bogota';
export const t = (s: string): WallSeconds => parseWallTime(s)!;
/** A routing point's email (the cycle's tests read one channel). */
export const email = (date: string, n: number, extra: Partial<Cdr9Record> = {}) =>
  anEmail(date, n, { channel: 'email-route-1', ...extra });

export function rig(
  source: MemorySource,
  kafka = new MemoryKafka(),
  nowIso = '2026-03-10T12:00:00-05:00',
  instanceId?: string,
  lookbackSeconds = 3600,
  abandonedCallMs?: number,
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
    abandonedCallMs,
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
export function pushEveryThreeHours(source: MemorySource, n: number): number {
  for (let d = 1; d <= 8; d++)
    for (let h = 0; h < 24; h += 3)
      source.rows.push({
        record: email(`2026-03-0${d} ${String(h).padStart(2, '0')}:00:00`, n++),
        visibleAt: 0,
      });
  return n;
}

export function publishedIds(kafka: MemoryKafka): string[] {
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
