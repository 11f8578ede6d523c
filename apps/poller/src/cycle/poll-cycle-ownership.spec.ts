import { decodeEmailSent } from '@app/contracts';
import { CorruptCheckpointError } from '../ports/checkpoint-store.port.js';
import {
  MemoryCheckpointStore,
  MemoryKafka,
  MemoryLeaseBeacon,
  MemoryPublisher,
  MemorySource,
} from '../ports/testing/index.js';
import { PollCycle } from './poll-cycle.js';
import { email, publishedIds, rig, ZONE } from './testing/poll-cycle-rig.js';

describe('PollCycle across restarts, failures and owners', () => {
  it('resumes after a restart from the checkpoint alone, with no duplicate and no gap', async () => {
    const source = new MemorySource();
    for (let i = 0; i < 40; i++)
      source.rows.push({
        record: email(`2026-03-10 11:${String(10 + i).padStart(2, '0')}:00`, i),
        visibleAt: 0,
      });
    const kafka = new MemoryKafka();
    const first = rig(source, kafka);
    await first.runUntilCaughtUp();
    for (let i = 40; i < 45; i++)
      source.rows.push({
        record: email(`2026-03-10 11:${String(10 + i).padStart(2, '0')}:30`, i),
        visibleAt: 0,
      });
    const second = rig(source, kafka, '2026-03-10T12:10:00-05:00');
    await second.runUntilCaughtUp();
    const ids = publishedIds(kafka);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  it('moves nothing when publishing fails, and recovers on the next cycle', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    publisher.failNextCommit = 1;
    const outcomes = await runUntilCaughtUp();
    expect(outcomes[0].kind).toBe('publish-failed');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('publishes nothing of a read that failed midway and was retried, and all of the retry', async () => {
    const source = new MemorySource();
    for (let i = 0; i < 10; i++)
      source.rows.push({ record: email(`2026-03-09 10:00:0${i}`, i), visibleAt: 0 });
    source.failAttemptAfter = 4;
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    await runUntilCaughtUp();
    expect(publisher.aborted).toBe(4);
    expect(publishedIds(kafka).sort()).toEqual(source.rows.map((r) => r.record.to).sort());
  });

  it('moves nothing when Kafka refuses a send midway, and recovers on the next cycle', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    publisher.failNextSend = 1;
    const outcomes = await runUntilCaughtUp();
    expect(outcomes[0].kind).toBe('publish-failed');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('reads a window again held whole when identical records differ outside the six fields', async () => {
    const source = new MemorySource();
    // The same email twice, told apart only by a field the key leaves out; listed "y" first.
    source.rows.push({ record: email('2026-03-09 10:00:00', 1, { agent: 'x' }), visibleAt: 0 });
    source.rows.push({ record: email('2026-03-09 10:00:00', 1, { agent: 'y' }), visibleAt: 0 });
    source.rows.push({ record: email('2026-03-09 11:00:00', 2), visibleAt: 0 });
    source.reverseAfterCut = true;
    const { kafka, publisher, runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    expect(outcomes.map((o) => o.kind)).toContain('read-whole');
    expect(publisher.aborted).toBeGreaterThan(0);
    const counted = outcomes.reduce((n, o) => n + (o.kind === 'published' ? o.events : 0), 0);
    expect(counted).toBe(3);
    // Numbered by canonical order (agent "x" first), whatever order the API listed them in.
    const byAgent = Object.fromEntries(
      kafka.events.map((m) => {
        const decoded = decodeEmailSent({ key: m.key, value: m.value, headers: m.headers });
        if (!decoded.ok) throw new Error(decoded.error);
        const { record, occurrence } = decoded.event.data;
        return [String((record as { agent?: string }).agent), occurrence];
      }),
    );
    expect(byAgent).toEqual({ x: 1, y: 2, undefined: 1 });
  });

  it('stops for good once another poller of the operation takes over', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const older = rig(source, kafka);
    await older.cycle.load();
    const newer = rig(source, kafka);
    await newer.runUntilCaughtUp();
    const outcome = await older.cycle.run();
    expect(outcome.kind).toBe('fenced');
    expect((await older.cycle.run()).kind).toBe('fenced');
    expect(publishedIds(kafka)).toEqual(['c1@x.co']);
  });

  it('leaves a live owner alone, takes over once its lease lapses, and fences it', async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    const callsBefore = source.calls.length;
    const newcomer = rig(source, kafka, '2026-03-10T12:00:10-05:00', 'pod-b');
    expect(await newcomer.cycle.run()).toMatchObject({ kind: 'standby', owner: { id: 'pod-a' } });
    expect(source.calls.length).toBe(callsBefore); // the standby called nothing

    newcomer.setNow('2026-03-10T12:02:00-05:00'); // pod-a's lease (30 s) has lapsed
    source.rows.push({ record: email('2026-03-10 12:00:20', 2), visibleAt: 0 });
    await newcomer.runUntilCaughtUp();
    expect((await owner.cycle.run()).kind).toBe('fenced');
    expect(publishedIds(kafka)).toEqual(['c1@x.co', 'c2@x.co']);
  });

  it("waits for a killed holder's calls on taking over, not for its own after a failed publish", async () => {
    const source = new MemorySource();
    source.rows.push({ record: email('2026-03-09 10:00:00', 1), visibleAt: 0 });
    const kafka = new MemoryKafka();
    const killed = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await killed.runUntilCaughtUp();
    const heir = rig(source, kafka, '2026-03-10T12:01:00-05:00', 'pod-b', 3600, 65_000);
    source.rows.push({ record: email('2026-03-10 11:58:00', 2), visibleAt: 0 });
    await heir.runUntilCaughtUp();
    // pod-a's last heartbeat (12:00:00), a heartbeat period (10 s), the 65 s a call may run on.
    expect(source.callsAssumedUntil).toEqual([Date.parse('2026-03-10T12:01:15-05:00')]);

    heir.setNow('2026-03-10T12:02:00-05:00');
    source.rows.push({ record: email('2026-03-10 12:00:30', 3), visibleAt: 0 });
    heir.publisher.failNextCommit = 1;
    const outcomes = await heir.runUntilCaughtUp();
    expect(outcomes[0].kind).toBe('publish-failed');
    // It loaded again over its own heartbeat: its client keeps its own abandoned calls.
    expect(source.callsAssumedUntil).toHaveLength(1);
    expect(publishedIds(kafka)).toEqual(['c1@x.co', 'c2@x.co', 'c3@x.co']);
  });

  it('hands over at once when the owner releases its lease', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    await owner.cycle.release();
    const newcomer = rig(source, kafka, '2026-03-10T12:00:01-05:00', 'pod-b');
    expect((await newcomer.cycle.run()).kind).not.toBe('standby');
  });

  it('renews its lease with heartbeats while idle', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const owner = rig(source, kafka, '2026-03-10T12:00:00-05:00', 'pod-a');
    await owner.runUntilCaughtUp();
    owner.setNow('2026-03-10T12:00:25-05:00');
    await owner.cycle.saveCheckpoint();
    const newcomer = rig(source, kafka, '2026-03-10T12:00:50-05:00', 'pod-b');
    expect((await newcomer.cycle.run()).kind).toBe('standby');
  });

  it('publishes what a single overflowing second returned, and says so', async () => {
    const source = new MemorySource();
    source.limit = 5;
    for (let i = 0; i < 8; i++)
      source.rows.push({ record: email('2026-03-09 10:00:00', i), visibleAt: 0 });
    const { runUntilCaughtUp } = rig(source);
    const outcomes = await runUntilCaughtUp();
    expect(outcomes).toContainEqual(
      expect.objectContaining({ kind: 'published', overflowingSecond: true, events: 5 }),
    );
  });

  it('says the checkpoint cannot be read, and reads nothing, instead of reporting Kafka failures', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    kafka.unreadable = new CorruptCheckpointError(
      'checkpoint version 2 was written by a newer release of the poller (this one reads version 1)',
    );
    const { cycle } = rig(source, kafka);
    const outcome = await cycle.run();
    expect(outcome).toMatchObject({
      kind: 'checkpoint-unreadable',
      error: { message: expect.stringMatching(/written by a newer release/) },
    });
    expect(source.calls).toHaveLength(0);
    expect(kafka.events).toHaveLength(0);
  });

  it('needs POLL_START_AT only when no checkpoint exists', async () => {
    const source = new MemorySource();
    const kafka = new MemoryKafka();
    const cycle = new PollCycle(
      source,
      new MemoryPublisher(kafka),
      new MemoryCheckpointStore(kafka),
      {
        operation: { server: '0010', timeZone: ZONE },
        startAt: undefined,
        lookbackSeconds: 0,
        settleSeconds: 0,
        unrecordedCallAllowance: 0,
      },
    );
    await expect(cycle.run()).rejects.toThrow(/POLL_START_AT/);
  });
});

describe('PollCycle claiming a released operation', () => {
  it('says so in the lease at once, so a second newcomer stands by instead of fencing it', async () => {
    const kafka = new MemoryKafka();
    const newcomer = (instanceId: string) =>
      new PollCycle(
        new MemorySource(),
        new MemoryPublisher(kafka),
        new MemoryCheckpointStore(kafka),
        {
          operation: { server: '0010', timeZone: ZONE },
          startAt: new Date('2026-03-01T00:00:00-05:00'),
          lookbackSeconds: 3600,
          settleSeconds: 60,
          unrecordedCallAllowance: 0,
          clock: () => new Date('2026-03-10T12:00:00-05:00'),
          instanceId,
          leaseMs: 30_000,
        },
        new MemoryLeaseBeacon(kafka),
      );
    // The one before released the lease; two replicas are then given the operation in turn.
    kafka.lease = { id: 'before', heartbeatAt: new Date(0).toISOString() };
    const first = newcomer('replica-d');
    await first.load();
    // Before its first checkpoint, the lease already names it.
    expect(kafka.lease?.id).toBe('replica-d');
    await expect(newcomer('replica-e').run()).resolves.toMatchObject({ kind: 'standby' });
  });
});
