import { formatWallTime, instantOf, wallTimeOf, type WallSeconds } from '@app/contracts';
import {
  emailsOfResponseSize,
  emailsOfSizes,
  realisticBodySize,
  sendTimes,
  type EmailRecord,
} from './email-corpus.js';

export const ZONE = 'America/Bogota';
const HOUR = 3_600;
const DAY = 86_400;

/**
 * The largest response the poller takes as complete: one of 60,000 records is treated as
 * possibly cut and read again in smaller windows (docs/CONTRACT.md section 4), so a maximal single poll
 * holds one record fewer.
 */
export const MAXIMAL_RESPONSE_RECORDS = 59_999;
/** The documented ceiling of one response, 256 MB (read as MiB, the larger reading). */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export type WorkloadId = 'a' | 'b' | 'c';

export interface Workload {
  id: WorkloadId;
  title: string;
  /** SIM_* variables of the simulator process serving it. */
  simulatorEnv: Record<string, string>;
  /** Records the bench appends through the control API; none when the simulator generates them. */
  records?: EmailRecord[];
  /** POLL_START_AT: the first second of the workload's data. */
  startAt: Date;
}

const QUIET_SIMULATOR = {
  SIM_SEED: 'bench',
  SIM_TIMEZONE: ZONE,
  // The cut keeps the oldest records, as the figures before the order hedges were taken with
  // (bench:hedges replays the other orders).
  SIM_ORDER: 'oldest',
  SIM_LATE_RATE: '0',
};

/**
 * The three workloads of BENCHMARKS.md, anchored on the present in the operation's zone (the poller
 * reads from POLL_START_AT up to the present less its settle lag).
 */
export function workload(id: WorkloadId, now: Date): Workload {
  const nowWall = wallTimeOf(now, ZONE);
  switch (id) {
    case 'a': {
      // One hour, three hours ago: a single window from POLL_START_AT to the present holds it.
      const from = nowWall - 3 * HOUR;
      const walls = sendTimes(MAXIMAL_RESPONSE_RECORDS, from, from + HOUR - 1, 1);
      return {
        id,
        title: `(a) one maximal response: ${MAXIMAL_RESPONSE_RECORDS} realistic emails (bodies 1-4 KB, 2% 10-50 KB)`,
        simulatorEnv: { ...QUIET_SIMULATOR, SIM_EMAILS_PER_HOUR: '0' },
        records: emailsOfSizes(MAXIMAL_RESPONSE_RECORDS, walls, realisticBodySize, 7),
        startAt: instant(from),
      };
    }
    case 'b': {
      const from = nowWall - 3 * HOUR;
      const walls = sendTimes(MAXIMAL_RESPONSE_RECORDS, from, from + HOUR - 1, 2);
      return {
        id,
        title: `(b) the size ceiling: one 256 MiB response of ${MAXIMAL_RESPONSE_RECORDS} emails of ~4.3 KB`,
        simulatorEnv: { ...QUIET_SIMULATOR, SIM_EMAILS_PER_HOUR: '0' },
        records: emailsOfResponseSize(MAXIMAL_RESPONSE_RECORDS, walls, MAX_RESPONSE_BYTES, 11),
        startAt: instant(from),
      };
    }
    case 'c': {
      // 31 days ending two hours ago: steady traffic, a campaign of 30,000 over two hours on
      // day 9 and one of 70,000 within an hour on day 20 (more than one call can return).
      const to = nowWall - 2 * HOUR;
      const from = to - 31 * DAY + 1;
      const bursts = [
        `${formatWallTime(from + 9 * DAY + 10 * HOUR)}=30000/7200`,
        `${formatWallTime(from + 20 * DAY + 9 * HOUR)}=70000/3600`,
      ];
      return {
        id,
        title: '(c) a 31-day backfill: 120 emails/h plus campaigns of 30,000 and 70,000',
        simulatorEnv: {
          ...QUIET_SIMULATOR,
          SIM_DATA_FROM: formatWallTime(from),
          SIM_DATA_TO: formatWallTime(to),
          SIM_EMAILS_PER_HOUR: '120',
          SIM_BURSTS: bursts.join(','),
        },
        startAt: instant(from),
      };
    }
  }
}

function instant(wall: WallSeconds): Date {
  return instantOf(wall, ZONE)!.instant;
}
