import {
  callsMayRunUntilMs,
  heartbeat,
  heartbeatDuringCycleDue,
  heartbeatPeriodMs,
  liveOwner,
  msUntilIdleHeartbeat,
  released,
  standbyMs,
  stuckAfterMs,
} from './lease.js';

const now = new Date('2026-03-10T12:00:00Z');
const at = (iso: string) => ({ id: 'pod-a', heartbeatAt: iso });

describe('the lease', () => {
  const stuck = stuckAfterMs(60_000, { maxAttempts: 4, maxDelayMs: 30_000 });

  it('beats at a third of the lease, never more often than once a second', () => {
    expect(heartbeatPeriodMs(30_000)).toBe(10_000);
    expect(heartbeatPeriodMs(1_500)).toBe(1_000);
    expect(msUntilIdleHeartbeat(0, 4_000, 30_000)).toBe(6_000);
    expect(msUntilIdleHeartbeat(0, 12_000, 30_000)).toBe(0);
  });

  it('presumes a cycle stuck after every attempt at its timeout, the backoff and two minutes', () => {
    expect(stuck).toBe(4 * 60_000 + 3 * 30_000 + 120_000);
  });

  it('beats during a cycle from a third of the lease into it until it is presumed stuck', () => {
    expect(heartbeatDuringCycleDue(1_000, 30_000, stuck)).toBe(false);
    expect(heartbeatDuringCycleDue(10_000, 30_000, stuck)).toBe(true);
    expect(heartbeatDuringCycleDue(stuck, 30_000, stuck)).toBe(true);
    expect(heartbeatDuringCycleDue(stuck + 1, 30_000, stuck)).toBe(false);
  });

  it('names a poller whose lease is still fresh, and no one once it lapsed or was released', () => {
    expect(liveOwner(at('2026-03-10T11:59:50Z'), now, 30_000)?.id).toBe('pod-a');
    expect(liveOwner(at('2026-03-10T11:59:00Z'), now, 30_000)).toBeUndefined();
    expect(liveOwner(released('pod-a'), now, 30_000)).toBeUndefined();
    expect(liveOwner(undefined, now, 30_000)).toBeUndefined();
  });

  it('keeps a newcomer on standby while another holds a live lease, looking again as it lapses', () => {
    expect(standbyMs(at('2026-03-10T11:59:50Z'), 'pod-b', now, 30_000)).toBe(15_000);
    expect(standbyMs(at('2026-03-10T11:59:35Z'), 'pod-b', now, 30_000)).toBe(5_500);
    expect(standbyMs(at('2026-03-10T11:59:30.200Z'), 'pod-b', now, 30_000)).toBe(1_000);
    // Its own lease (a restart under the same name), a lapsed one, none: claim at once.
    expect(standbyMs(at('2026-03-10T11:59:50Z'), 'pod-a', now, 30_000)).toBeUndefined();
    expect(standbyMs(at('2026-03-10T11:59:00Z'), 'pod-b', now, 30_000)).toBeUndefined();
    expect(standbyMs(undefined, 'pod-b', now, 30_000)).toBeUndefined();
  });

  it('waits for calls a previous holder may have left running: its heartbeat, a period, the grace', () => {
    const owner = heartbeat('pod-a', now);
    expect(callsMayRunUntilMs(owner, 30_000, 65_000)).toBe(now.getTime() + 10_000 + 65_000);
    expect(callsMayRunUntilMs(released('pod-a'), 30_000, 65_000)).toBeUndefined();
    expect(callsMayRunUntilMs(undefined, 30_000, 65_000)).toBeUndefined();
    expect(callsMayRunUntilMs(owner, 30_000, 0)).toBeUndefined();
  });

  it("does not wait for its own calls when it loads again, but for an earlier process's of its name", () => {
    const owner = heartbeat('pod-a', now);
    const holdingSince = now.getTime() - 60_000;
    expect(
      callsMayRunUntilMs(owner, 30_000, 65_000, { id: 'pod-a', sinceMs: holdingSince }),
    ).toBeUndefined();
    // Another instance's heartbeat, or its own name's from before it held the operation.
    expect(callsMayRunUntilMs(owner, 30_000, 65_000, { id: 'pod-b', sinceMs: holdingSince })).toBe(
      now.getTime() + 75_000,
    );
    expect(
      callsMayRunUntilMs(owner, 30_000, 65_000, { id: 'pod-a', sinceMs: now.getTime() + 1 }),
    ).toBe(now.getTime() + 75_000);
  });
});
