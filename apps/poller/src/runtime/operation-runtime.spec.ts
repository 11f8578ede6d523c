import { Logger, type LoggerService } from '@nestjs/common';
import { formatWallTime, wallTimeOf } from '@app/contracts';
import { Subject } from 'rxjs';
import { configFromEnv } from '../config/__tests__/config-from-env.js';
import { currentOperation } from '../logging/operation-context.js';
import {
  email,
  MemoryCheckpointStore,
  MemoryKafka,
  MemoryLeaseBeacon,
  MemoryPublisher,
  MemorySource,
} from '../ports/testing/index.js';
import { OperationRuntime, type RuntimeReconciler } from './operation-runtime.js';
import { PollerMetrics } from './poller-metrics.js';
import { RuntimeSupervisor, type OperationShare } from './runtime-supervisor.js';

const TIME_ZONE = 'America/Bogota';

/** Every line logged through Nest's Logger, with the operation it was written for. */
const lines: Array<{ operation: string | undefined; context: unknown; message: unknown }> = [];
const record = (message: unknown, context?: unknown): void => {
  lines.push({ operation: currentOperation(), context, message });
};
const capture: LoggerService = { log: record, warn: record, error: record, debug: record };
beforeAll(() => {
  Logger.overrideLogger(capture);
});
afterAll(() => {
  Logger.overrideLogger(['error', 'warn']);
});

/** Emails sent `count` times over the last hour, on the operation's clock. */
function emailsOfTheLastHour(count: number): ReturnType<typeof email>[] {
  const now = wallTimeOf(new Date(), TIME_ZONE);
  return Array.from({ length: count }, (_, n) => email(formatWallTime(now - 3000 + n * 60), n));
}

const noReconciliation = (): RuntimeReconciler => ({
  enabled: false,
  reports: new Subject(),
  step: () => Promise.resolve(false),
  close: () => Promise.resolve(),
});

/** One operation's runtime on in-memory ports, as the service builds it on Kafka. */
function operation(
  server: string,
  emails: number,
  metrics: PollerMetrics,
  env: Record<string, string> = {},
) {
  const config = configFromEnv({
    ...env,
    WOLKVOX_SERVER: server,
    WOLKVOX_TIMEZONE: TIME_ZONE,
    POLL_START_AT: new Date(Date.now() - 2 * 3600_000).toISOString(),
    POLL_INTERVAL_SECONDS: '1',
    POLL_SETTLE_SECONDS: '0',
    POLL_RECONCILE_DAYS: '0',
  });
  const kafka = new MemoryKafka();
  const source = new MemorySource(emailsOfTheLastHour(emails));
  // Built afresh each time the operation comes to this process, on the same "Kafka".
  const build = () =>
    new OperationRuntime(
      config,
      {
        source,
        publisher: new MemoryPublisher(kafka),
        store: new MemoryCheckpointStore(kafka),
        beacon: new MemoryLeaseBeacon(kafka),
        reconciler: noReconciliation,
      },
      { metrics },
    );
  return { config, build, kafka };
}

/** A supervisor of `operations`, built as the service builds it (a share given, or not). */
function supervisorOf(
  operations: Array<ReturnType<typeof operation>>,
  share?: OperationShare,
  retakeAfterMs?: () => number,
): RuntimeSupervisor {
  const builders = new Map(operations.map((o) => [o.config.wolkvox.server, o.build]));
  return new RuntimeSupervisor(
    { operations: operations.map((o) => o.config), share },
    (config) => builders.get(config.wolkvox.server)!(),
    retakeAfterMs,
  );
}

/** A share whose assignments the test makes, as the fleet's group would. */
class HandShare implements OperationShare {
  serve: ((servers: readonly string[]) => Promise<void>) | undefined;
  stoppedWith: string[][] = [];
  constructor(private readonly running: () => string[]) {}
  start(serve: (servers: readonly string[]) => Promise<void>): Promise<void> {
    this.serve = serve;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    // What still ran when the replica left the group: nothing, every lease released before.
    this.stoppedWith.push(this.running());
    return Promise.resolve();
  }
  state() {
    return { member: this.serve !== undefined };
  }
}

async function caughtUp(runtime: OperationRuntime): Promise<void> {
  await until(`operation ${runtime.operation} caught up`, () => outcomeOf(runtime) === 'caught-up');
}

function outcomeOf(runtime: OperationRuntime | undefined): string | undefined {
  return runtime?.status.lastOutcome?.outcome.kind;
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('two operation runtimes side by side', () => {
  it('each polls with its own checkpoint, metrics series and log context', async () => {
    const metrics = new PollerMetrics({ defaultMetrics: false });
    const first = operation('0010', 3, metrics);
    const second = operation('0020', 5, metrics);
    // Started and stopped as the service does, by the one supervisor.
    const supervisor = supervisorOf([first, second]);
    await supervisor.onApplicationBootstrap();
    try {
      await Promise.all(supervisor.runtimes.map(caughtUp));
    } finally {
      await supervisor.beforeApplicationShutdown('SIGTERM');
    }

    // Its own checkpoint and events: each read its own API, published to its own topics.
    expect(first.kafka.events).toHaveLength(3);
    expect(second.kafka.events).toHaveLength(5);
    const cursor = (kafka: MemoryKafka) => kafka.checkpoint?.progress.cursor;
    expect(cursor(first.kafka)).toBeDefined();
    expect(cursor(second.kafka)).toBeDefined();
    // The event ids are the operation's (its server code is part of each key's hash input).
    const keys = (kafka: MemoryKafka) => new Set(kafka.events.map((event) => event.key));
    for (const key of keys(first.kafka)) expect(keys(second.kafka).has(key)).toBe(false);
    // Both released their lease when stopped.
    for (const { kafka } of [first, second])
      expect(kafka.lease?.heartbeatAt).toBe(new Date(0).toISOString());

    // Its own series, under its operation label, in the one registry.
    const text = await metrics.text();
    expect(text).toContain('wolkvox_poller_events_published_total{operation="0010"} 3');
    expect(text).toContain('wolkvox_poller_events_published_total{operation="0020"} 5');

    // Its own log context: every line of the loops says which operation it is about.
    const published = lines.filter((line) => String(line.message).startsWith('published window'));
    expect(new Set(published.map((line) => line.operation))).toEqual(new Set(['0010', '0020']));
    const poller = lines.filter((line) => line.context === 'Poller');
    expect(poller.length).toBeGreaterThan(0);
    expect(poller.every((line) => line.operation === '0010' || line.operation === '0020')).toBe(
      true,
    );
  });
});

describe('a replica of a fleet', () => {
  it('runs what its share gives it, hands an operation over with its lease released, and leaves the group last', async () => {
    const metrics = new PollerMetrics({ defaultMetrics: false });
    const first = operation('0030', 2, metrics);
    const second = operation('0040', 4, metrics);
    const share = new HandShare(() => supervisor.runtimes.map((r) => r.operation));
    const supervisor = supervisorOf([first, second], share);
    expect(supervisor.runtimes).toEqual([]);
    await supervisor.onApplicationBootstrap();

    await share.serve!(['0030']);
    expect(supervisor.runtimes.map((r) => r.operation)).toEqual(['0030']);
    await caughtUp(supervisor.runtimes[0]);
    expect(first.kafka.events).toHaveLength(2);

    // 0030 goes to another replica, 0040 comes here: 0030's lease is released on the way out.
    await share.serve!(['0040', 'not-in-the-file']);
    expect(supervisor.runtimes.map((r) => r.operation)).toEqual(['0040']);
    expect(first.kafka.lease?.heartbeatAt).toBe(new Date(0).toISOString());
    await caughtUp(supervisor.runtimes[0]);
    expect(second.kafka.events).toHaveLength(4);

    // Back again: built afresh, it resumes from its checkpoint and publishes nothing twice.
    await share.serve!(['0030', '0040']);
    await Promise.all(supervisor.runtimes.map(caughtUp));
    expect(first.kafka.events).toHaveLength(2);

    await supervisor.beforeApplicationShutdown('SIGTERM');
    expect(share.stoppedWith).toEqual([[]]);
    for (const { kafka } of [first, second])
      expect(kafka.lease?.heartbeatAt).toBe(new Date(0).toISOString());
  });

  it('goes back to the lease when a rival claim fenced an operation it still runs', async () => {
    const metrics = new PollerMetrics({ defaultMetrics: false });
    const fifth = operation('0050', 2, metrics, { POLL_LEASE_SECONDS: '5' });
    const share = new HandShare(() => supervisor.runtimes.map((r) => r.operation));
    const supervisor = supervisorOf([fifth], share, () => 50);
    await supervisor.onApplicationBootstrap();
    await share.serve!(['0050']);
    const fenced = supervisor.runtimes[0];
    await caughtUp(fenced);

    // Another replica claimed it at the same time and holds its lease: this runtime's next
    // checkpoint is refused, and polling stops on it.
    await new MemoryPublisher(fifth.kafka).claim();
    fifth.kafka.lease = { id: 'rival', heartbeatAt: new Date().toISOString() };
    await until('fenced', () => fenced.status.fenced !== undefined);

    // The replica still runs the operation: a fresh runtime looks at the lease and stands by
    // while the rival holds it, claiming nothing.
    const claims = fifth.kafka.claims;
    await until(
      'a fresh runtime on standby',
      () => outcomeOf(supervisor.runtimes[0]) === 'standby',
    );
    const fresh = supervisor.runtimes[0];
    expect(fresh).not.toBe(fenced);
    expect(fifth.kafka.claims).toBe(claims);

    // The rival hands it back (releases the lease): the fresh runtime claims and resumes from
    // the checkpoint, publishing nothing twice.
    fifth.kafka.lease = { id: 'rival', heartbeatAt: new Date(0).toISOString() };
    await caughtUp(fresh);
    expect(fresh.status.fenced).toBeUndefined();
    expect(fifth.kafka.claims).toBe(claims + 1);
    expect(fifth.kafka.events).toHaveLength(2);
    await supervisor.beforeApplicationShutdown('SIGTERM');
  });
});
