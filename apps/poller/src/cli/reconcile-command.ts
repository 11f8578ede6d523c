import { checkpointStoreFor } from '../kafka/kafka-adapters.js';
import {
  decodePassRecord,
  describePassRecord,
  reconcileKey,
} from '../reconcile/reconcile-record.js';
import type { CliContext } from './cli-context.js';

/**
 * `reconcile`: when the operation's last daily reconciliation pass ran and what it found, from
 * the record the poller keeps on the progress topic, and when the next one is scheduled.
 */
export async function reconcileCommand(ctx: CliContext, options: { json?: boolean }) {
  const { config } = ctx;
  const server = config.wolkvox.server;
  const store = checkpointStoreFor(ctx.kafka, config);
  const record = decodePassRecord((await store.latestCommitted()).get(reconcileKey(server)));
  const { days, atMinute } = config.poll.reconcile;
  const at = `${String(Math.floor(atMinute / 60)).padStart(2, '0')}:${String(atMinute % 60).padStart(2, '0')}`;
  const view = {
    operation: server,
    schedule:
      days === 0
        ? 'off (POLL_RECONCILE_DAYS=0)'
        : `daily at ${at} (${config.wolkvox.timeZone}), the last ${days} days`,
    ...describePassRecord(record),
  };
  if (options.json) {
    ctx.io.out(JSON.stringify(view));
  } else {
    const lines = Object.entries(view).map(
      ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    ctx.io.out(lines.join('\n'));
  }
  // No pass yet (a new deployment, or the pass is off) is an answer, said in `last`.
  return 0;
}
