import { equalJitterDelayMs } from '@app/wolkvox-client';

/**
 * Failed publishes in a row (Kafka away) after which a run over a range gives up: the backfill
 * stops and says so, the reconciliation pass ends `failed` and runs again at its next slot.
 *
 * Why 4, with waits of 1-2, 2-4 and 4-8 s between them: a broker restart or a partition leader
 * moving makes a few publishes fail for seconds, and 7 to 14 s of waiting rides that out; Kafka
 * away for longer is an outage a retry now does not fix, and the run's resume point keeps what
 * it committed. The backfill counted to 4 with these ceilings already (without jitter); the
 * reconciliation counted to 3 and tried again at once, which ran through its three tries in the
 * same second the broker went away.
 */
export const MAX_PUBLISH_FAILURES = 4;

const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 30_000;

export type PublishRetry = { kind: 'retry'; inMs: number } | { kind: 'give-up' };

/**
 * What a run over a range does after its `failures`-th failed publish in a row: a pure decision.
 * The wait is the live loop's after a failed publish (next-delay.ts): equal jitter, doubling, so
 * two runs never retry in step and none retries at once against a broker that just failed.
 *
 * @param random a uniform number in [0, 1]
 */
export function afterPublishFailure(failures: number, random: number): PublishRetry {
  if (failures >= MAX_PUBLISH_FAILURES) return { kind: 'give-up' };
  return {
    kind: 'retry',
    inMs: equalJitterDelayMs(FIRST_WAIT_MS, failures, LONGEST_WAIT_MS, random),
  };
}
