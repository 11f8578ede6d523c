import { SchedulerRegistry } from '@nestjs/schedule';
import { tokenFileDouble } from '../config/__tests__/token-file-double.js';
import type { PollerConfig } from '../config/poller-config.js';
import type { Reconciler } from '../reconcile/reconciler.js';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import type { PollCycle } from '../cycle/poll-cycle.js';
import type { EmailSource } from '../ports/email-source.port.js';
import type { EventPublisher } from '../ports/event-publisher.port.js';
import type { LeaseBeacon } from '../ports/lease-beacon.port.js';
import { PollerService } from './poller.service.js';
import { PollerStatus } from './poller-status.js';

const window = { from: 0, to: 59 };
const refused: CycleOutcome = {
  kind: 'source-failed',
  window,
  outcome: { kind: 'token-rejected', message: 'FORBIDDEN: PLEASE VALIDATE TOKEN' },
};
const caughtUp: CycleOutcome = { kind: 'caught-up', lagSeconds: 0 };

let running: PollerService | undefined;
afterEach(async () => {
  await running?.onApplicationShutdown();
  running = undefined;
});

/** The loop around a cycle that answers `outcomes` in turn, each after `cycleMs`. */
function rig(outcomes: CycleOutcome[], cycleMs = 50) {
  const token = tokenFileDouble('tok-old');
  const log = { runs: 0, running: 0, mostAtOnce: 0, retries: 0, tokensAtRuns: [] as string[] };
  const cycle = {
    loaded: true,
    run: async () => {
      log.runs += 1;
      log.tokensAtRuns.push(token.secret.reveal());
      log.mostAtOnce = Math.max(log.mostAtOnce, ++log.running);
      await new Promise((resolve) => setTimeout(resolve, cycleMs));
      log.running -= 1;
      return outcomes.shift() ?? caughtUp;
    },
    heartbeat: () => Promise.resolve(),
    renewLease: () => Promise.resolve(),
    release: () => Promise.resolve(),
    describe: () => undefined,
  } as unknown as PollCycle;
  const source = { retryToken: () => (log.retries += 1) } as unknown as EmailSource;
  const closes = { close: () => Promise.resolve() };
  const config = {
    wolkvox: {
      server: '0010',
      timeZone: 'America/Bogota',
      callTimeoutMs: 60_000,
      token: token.secret,
    },
    poll: { intervalSeconds: 60, leaseSeconds: 30 },
    shutdownTimeoutMs: 1000,
  } as unknown as PollerConfig;
  const status = new PollerStatus();
  const service = new PollerService(
    cycle,
    status,
    source,
    closes as unknown as EventPublisher,
    closes as unknown as LeaseBeacon,
    new SchedulerRegistry(),
    config,
    // The reconciliation pass is off here: these tests are about the live poll's token.
    { step: () => Promise.resolve(false), close: () => Promise.resolve() } as unknown as Reconciler,
  );
  running = service;
  return { service, status, token, log };
}

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('PollerService and a rotated token file', () => {
  it('after a refusal waits long, and polls at once with a new token found in the file', async () => {
    const { service, status, token, log } = rig([refused]);
    service.onApplicationBootstrap();
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
    const { service, status, token, log } = rig([], 300);
    // As after the long wait: the refusal is on record, and the file changed unseen since.
    status.sourceProblem = {
      failure: { kind: 'token-rejected', message: 'PLEASE VALIDATE TOKEN' },
      since: new Date(),
    };
    token.file.content = 'tok-new';
    service.onApplicationBootstrap();
    await until(() => log.runs >= 1 && log.running === 0, 'the first cycle');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.mostAtOnce).toBe(1);
    expect(log.tokensAtRuns[0]).toBe('tok-new');
  });

  it('tries a token that came while the refused call was in flight at once', async () => {
    const { service, token, log } = rig([refused], 200);
    service.onApplicationBootstrap();
    await until(() => log.running === 1, 'the first cycle');
    token.file.content = 'tok-new';
    token.secret.reread();
    await until(() => log.runs === 2, 'the poll with the new token');
    expect(log.mostAtOnce).toBe(1);
  });
});
