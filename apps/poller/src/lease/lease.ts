/**
 * The operation's lease, every decision about it in one place. Only one poller of an operation
 * may read and publish; Kafka's transactional fencing makes a second one safe, but would let any
 * newcomer take a healthy poller's operation. So the holder says it is alive, and a newcomer
 * waits while it does:
 *
 * - the holder writes `Owner` (its id and the time: its *heartbeat*, the one meaning of the word
 *   here) with every checkpoint, between polls, and during a cycle that runs long;
 * - a newcomer that finds a heartbeat younger than the lease stays on standby, claiming nothing;
 * - a holder stuck in a cycle stops renewing, so that its lease lapses and a standby takes over;
 * - a clean shutdown releases the lease (a heartbeat at the epoch), so a standby takes over at its
 *   next look instead of after the lease;
 * - a newcomer that takes over from a holder that did not release waits for calls that holder may
 *   have left running on the server before making its own.
 *
 * Pure: times come in as arguments. The cycle (poll-cycle.ts), the loop's timers
 * (loop/operation-loop.ts) and the CLI's reset ask these functions; the Kafka adapters only store
 * and send the `Owner` they are given.
 */

/** Which poller instance holds the operation, and its last heartbeat (ISO 8601). */
export interface Owner {
  id: string;
  heartbeatAt: string;
}

export const DEFAULT_LEASE_MS = 30_000;

/** The holder's heartbeat now. */
export function heartbeat(id: string, now: Date): Owner {
  return { id, heartbeatAt: now.toISOString() };
}

/** What a clean shutdown writes: a heartbeat so old that no one waits for it. */
export function released(id: string): Owner {
  return { id, heartbeatAt: new Date(0).toISOString() };
}

/** Heartbeats come at a third of the lease, so one lost write does not let it lapse. */
export function heartbeatPeriodMs(leaseMs: number): number {
  return Math.max(1000, Math.floor(leaseMs / 3));
}

/** How long from `nowMs` until the next heartbeat between polls is due (0: due now). */
export function msUntilIdleHeartbeat(lastHeartbeatMs: number, nowMs: number, leaseMs: number) {
  return Math.max(0, lastHeartbeatMs + heartbeatPeriodMs(leaseMs) - nowMs);
}

/**
 * The longest a legitimate cycle runs: every attempt of the API call at its timeout, the
 * longest backoff between them, and two minutes for Kafka. Past it a cycle is presumed stuck.
 */
export function stuckAfterMs(
  callTimeoutMs: number,
  retry: { maxAttempts: number; maxDelayMs: number },
): number {
  return retry.maxAttempts * callTimeoutMs + (retry.maxAttempts - 1) * retry.maxDelayMs + 120_000;
}

/**
 * Whether the holder sends a heartbeat for the cycle in flight: not in its first heartbeat
 * period (the checkpoint before it was one), and not once it has run longer than any legitimate
 * cycle can: a poller stuck in a cycle lets its lease lapse, so that a standby takes over.
 */
export function heartbeatDuringCycleDue(
  runningMs: number,
  leaseMs: number,
  stuckMs: number,
): boolean {
  return runningMs >= heartbeatPeriodMs(leaseMs) && runningMs <= stuckMs;
}

/** The owner, while its last heartbeat is younger than the lease; undefined once it lapsed. */
export function liveOwner(owner: Owner | undefined, now: Date, leaseMs: number): Owner | undefined {
  if (!owner) return undefined;
  const age = now.getTime() - Date.parse(owner.heartbeatAt);
  return age < leaseMs ? owner : undefined;
}

/**
 * How long instance `self` stays on standby before it looks again, when another instance holds
 * a live lease; undefined when `self` may claim the operation (no owner, its own lease, or a
 * lapsed one). It looks again just after the lease would lapse, at least every half lease.
 */
export function standbyMs(
  owner: Owner | undefined,
  self: string,
  now: Date,
  leaseMs: number,
): number | undefined {
  if (!owner || owner.id === self || !liveOwner(owner, now, leaseMs)) return undefined;
  const age = now.getTime() - Date.parse(owner.heartbeatAt);
  return Math.max(1000, Math.min(leaseMs - age + 500, leaseMs / 2));
}

/**
 * Until when (epoch ms) calls of a previous holder that did not release the lease (killed, or
 * taken over) may still run on the server: it sent a call at most a heartbeat period after its
 * last heartbeat, and the server may run a call on until `abandonedCallMs` after it was sent.
 * Undefined when there is nothing to wait for.
 *
 * `self` is the instance loading and since when it has held the operation: a heartbeat it wrote
 * itself since then (it loads again after a failed publish) stands for calls its own client
 * made, and that client already keeps every call it gave up on until `abandonedCallMs` after
 * (call-slots.ts). Waiting again for them stopped a poller for 65 s after each failed window. A
 * heartbeat of the same id from before `sinceMs` is an earlier process's (a restarted pod keeps
 * its name), so its calls are waited for.
 */
export function callsMayRunUntilMs(
  owner: Owner | undefined,
  leaseMs: number,
  abandonedCallMs: number | undefined,
  self?: { id: string; sinceMs: number },
): number | undefined {
  const heartbeatMs = owner ? Date.parse(owner.heartbeatAt) : NaN;
  if (!(heartbeatMs > 0) || !abandonedCallMs) return undefined;
  if (self && owner!.id === self.id && heartbeatMs >= self.sinceMs) return undefined;
  return heartbeatMs + heartbeatPeriodMs(leaseMs) + abandonedCallMs;
}

/** Another instance holds a live lease on the operation. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(
    readonly owner: Owner,
    readonly retryInMs: number,
  ) {
    super(`operation held by ${owner.id} (last heartbeat ${owner.heartbeatAt})`);
  }
}
