import { jest } from '@jest/globals';
import { tokenFileDouble } from '../config/__tests__/token-file-double.js';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { OperationLoop, type LoopCycle } from './operation-loop.js';
import { PollerStatus } from './poller-status.js';

const window = { from: 0, to: 59 };
const refused: CycleOutcome = {
  kind: 'source-failed',
  window,
  outcome: { kind: 'token-rejected', message: 'FORBIDDEN: PLEASE VALIDATE TOKEN' },
};
const caughtUp: CycleOutcome = { kind: 'caught-up', lagSeconds: 0 };

let running: OperationLoop | undefined;
let fakeTimers = false;
afterEach(async () => {
  const stopping = running?.stop();
  // A cycle in flight on fake timers ends only as they advance.
  if (fakeTimers) await jest.advanceTimersByTimeAsync(60_000);
  await stopping;
  running = undefined;
  jest.useRealTimers();
  fakeTimers = false;
});

function useFakeTimers(): void {
  jest.useFakeTimers();
  fakeTimers = true;
}

/** The loop around a cycle that answers `outcomes` in turn, each after `cycleMs`. */
function rig(outcomes: CycleOutcome[], cycleMs = 50, reconcile?: () => Promise<boolean>) {
  const token = tokenFileDouble('tok-old');
  const log = {
    runs: 0,
    running: 0,
    mostAtOnce: 0,
    retries: 0,
    heartbeats: 0,
    renewals: 0,
    reconcileTurns: 0,
    tokensAtRuns: [] as string[],
  };
  const cycle: LoopCycle = {
    loaded: true,
    run: async () => {
      log.runs += 1;
      log.tokensAtRuns.push(token.secret.reveal());
      log.mostAtOnce = Math.max(log.mostAtOnce, ++log.running);
      await new Promise((resolve) => setTimeout(resolve, cycleMs));
      log.running -= 1;
      return outcomes.shift() ?? caughtUp;
    },
    saveCheckpoint: () => Promise.resolve(void (log.heartbeats += 1)),
    renewLease: () => Promise.resolve(void (log.renewals += 1)),
    describe: () => undefined,
  };
  const status = new PollerStatus();
  const loop = new OperationLoop(
    cycle,
    {
      enabled: reconcile !== undefined,
      step: () => {
        log.reconcileTurns += 1;
        return reconcile?.() ?? Promise.resolve(false);
      },
    },
    status,
    token.secret,
    () => (log.retries += 1),
    {
      server: '0010',
      timeZone: 'America/Bogota',
      intervalSeconds: 60,
      leaseSeconds: 30,
      shutdownTimeoutMs: 1000,
      stuckAfterMs: 600_000,
    },
  );
  running = loop;
  return { loop, status, token, log };
}

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('OperationLoop and a rotated token file', () => {
  it('after a refusal waits long, and polls at once with a new token found in the file', async () => {
    const { loop, status, token, log } = rig([refused]);
    loop.start();
    await until(() => status.sourceProblem?.failure.kind === 'token-rejected', 'the refusal');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.runs).toBe(1);

    token.file.content = 'tok-new';
    token.secret.reread();
    await until(() => log.runs === 2, 'the poll with the new token');
    expect(log.tokensAtRuns).toEqual(['tok-old', 'tok-new']);
    expect(log.retries).toBe(1);
  });

  it('never runs two cycles at once when the re-read before a retry finds a new token', async () => {
    useFakeTimers();
    const { loop, token, log } = rig([refused], 300);
    loop.start();
    await jest.advanceTimersByTimeAsync(400);
    expect(log.runs).toBe(1);
    // The file changes unseen; the loop finds it when it reads the file before the long retry.
    token.file.content = 'tok-new';
    await jest.advanceTimersByTimeAsync(899_000);
    expect(log.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(log.runs).toBe(2);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(log.mostAtOnce).toBe(1);
    expect(log.tokensAtRuns).toEqual(['tok-old', 'tok-new']);
    expect(log.retries).toBe(1);
  });

  it('tries a token that came while the refused call was in flight at once', async () => {
    const { loop, token, log } = rig([refused], 200);
    loop.start();
    await until(() => log.running === 1, 'the first cycle');
    token.file.content = 'tok-new';
    token.secret.reread();
    await until(() => log.runs === 2, 'the poll with the new token');
    expect(log.mostAtOnce).toBe(1);
  });
});

describe('OperationLoop between polls', () => {
  it('keeps the lease with a heartbeat every third of the lease while it waits', async () => {
    useFakeTimers();
    const { loop, log } = rig([], 10);
    loop.start();
    await jest.advanceTimersByTimeAsync(59_000);
    expect(log.runs).toBe(1);
    // A 30 s lease: heartbeats at 10 s, 20 s, ... 50 s after the cycle's own.
    expect(log.heartbeats).toBe(5);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(log.runs).toBe(2);
  });

  it('renews the lease while a cycle runs longer than a third of it', async () => {
    useFakeTimers();
    const { loop, log } = rig([], 25_000);
    loop.start();
    await jest.advanceTimersByTimeAsync(24_000);
    expect(log.renewals).toBe(2);
  });

  it('gives the reconciliation the waits between polls, back to back while it has more', async () => {
    useFakeTimers();
    let windows = 3;
    const { loop, log } = rig([], 10, () => Promise.resolve(--windows > 0));
    loop.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(log.reconcileTurns).toBe(3);
    expect(log.runs).toBe(1);
  });

  it('stops between turns at once, and waits for the cycle in flight', async () => {
    const { loop, log } = rig([], 300);
    loop.start();
    await until(() => log.running === 1, 'the first cycle');
    expect(await loop.stop('SIGTERM')).toBe(true);
    expect(log.running).toBe(0);
    expect(log.runs).toBe(1);
  });
});
