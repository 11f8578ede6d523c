import {
  encodeEmailSent,
  toEmailSentEvent,
  wallTimeOf,
  type Cdr9Record,
  type EmailSentEvent,
} from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../apps/poller/src/kafka/topic-reader.js';
import { expectedKeys } from './support/ground-truth.js';
import { testBrokers, testKafka, uniqueTopic } from './support/kafka.js';
import { waitFor } from './support/poller-app.js';
import { CLI_MAIN, PollerProcess, runToExit } from './support/poller-process.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';
import { createTopicsWithLeaders } from '../apps/poller/src/kafka/topic-leaders.js';

const ZONE = 'America/Bogota';
const kafkaEnv = () => ({ KAFKA_BROKERS: testBrokers().join(','), LOG_LEVEL: 'warn' });

function cli(args: string[], env: Record<string, string>) {
  return runToExit(CLI_MAIN, args, { ...kafkaEnv(), ...env }, 120_000);
}

interface PrintedLine {
  partition: number;
  offset: string;
  event?: EmailSentEvent;
  key?: string;
  error?: string;
}
const jsonLines = (stdout: string): PrintedLine[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PrintedLine);

function email(n: number): {
  event: EmailSentEvent;
  value: Buffer;
  headers: Record<string, string>;
} {
  const record: Cdr9Record = {
    channel: n % 2 ? 'campaign-00007' : 'email-route-00012',
    date: `2026-03-01 10:${String(n % 60).padStart(2, '0')}:00`,
    from: 'soporte@example.com',
    to: `cliente${n}@example.com; copia${n}@example.com`,
    subject: `Caso ${n}`,
    body: `<p>${n}</p>`,
  };
  const mapped = toEmailSentEvent(record, 1, { server: '0010', timeZone: ZONE });
  if (!mapped.ok) throw new Error(mapped.reason);
  const message = encodeEmailSent(mapped.event);
  return { event: mapped.event, value: message.value, headers: { ...message.headers } };
}

/**
 * `replay` prints exactly the committed events of the topic: produced here with a transactional
 * producer over three partitions, with an aborted transaction in between that must not show.
 */
describe('replay', () => {
  const topic = uniqueTopic('replay');
  let kafka: Kafka;
  /** What each partition holds, committed, in offset order. */
  const held: Array<Array<{ offset: string; event: EmailSentEvent; timestamp: number }>> = [
    [],
    [],
    [],
  ];
  const T0 = Date.parse('2026-03-01T15:00:00Z');
  const T1 = Date.parse('2026-03-01T16:00:00Z');

  beforeAll(async () => {
    kafka = testKafka('replay-e2e');
    const admin = kafka.admin();
    await admin.connect();
    // Kept forever: the records are stamped 2026-03-01 (the --since and table tests read those
    // instants), older than the broker's default retention (7 days). The first commit marker is
    // stamped with the broker's clock, so the broker rolls a segment there; the closed segment
    // holds only the first transaction, and the broker's next retention check (30 s after it
    // starts, then every 5 minutes) deletes it. A check between these writes and the read below
    // left the topic starting at the aborted transaction: the read returned only the last 5.
    await createTopicsWithLeaders(admin, {
      topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
    });
    await admin.disconnect();
    const producer = kafka.producer({
      transactionalId: `${topic}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const send = async (numbers: number[], timestamp: number, commit: boolean) => {
      const tx = await producer.transaction();
      await tx.send({
        topic,
        messages: numbers.map((n) => {
          const { event, value, headers } = email(n);
          return { key: event.id, value, headers, partition: n % 3, timestamp: String(timestamp) };
        }),
      });
      if (!commit) return tx.abort();
      await tx.commit();
    };
    await send([1, 2, 3, 4, 5, 6, 7], T0, true);
    await send([100, 101, 102], T0 + 1000, false);
    await send([8, 9, 10, 11, 12], T1, true);
    await producer.disconnect();
    // The broker answers EndTxn before it writes the commit markers; until the last ones land, the
    // read_committed end offset (the last stable offset) stops before the last transaction, and
    // a read started now ends there. Each partition ends at 8: its records and three markers.
    const ends = kafka.admin();
    await ends.connect();
    await waitFor(
      async () => (await ends.fetchTopicOffsets(topic)).every((o) => o.high === '8'),
      30_000,
      'the markers of the last commit',
    ).finally(() => ends.disconnect());
    for (const { partition, offset, message } of await readTopicToEnd(kafka, topic)) {
      const n = Number(/Caso (\d+)/.exec(message.value!.toString())![1]);
      held[partition].push({ offset, event: email(n).event, timestamp: Number(message.timestamp) });
    }
  }, 120_000);

  const all = () => held.flat();
  const printedEvents = (lines: PrintedLine[]) =>
    lines.map((l) => ({ partition: l.partition, offset: l.offset, event: l.event }));
  const byPosition = <T extends { partition: number; offset: string }>(items: T[]) =>
    [...items].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));

  it('--from-beginning prints every committed event once, decoded, and no aborted one', async () => {
    expect(all()).toHaveLength(12);
    const run = await cli(['replay', '--from-beginning', '--topic', topic], {});
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.every((l) => l.error === undefined)).toBe(true);
    const expected = held.flatMap((p, partition) =>
      p.map(({ offset, event }) => ({ partition, offset, event })),
    );
    expect(byPosition(printedEvents(lines))).toEqual(
      byPosition(JSON.parse(JSON.stringify(expected)) as typeof expected),
    );
    // The aborted transaction held Caso 100..102.
    expect(run.stdout).not.toMatch(/Caso 10[0-2]/);
  }, 120_000);

  it('--since prints only what the broker stored at or after that instant', async () => {
    const run = await cli(['replay', '--since', new Date(T1).toISOString(), '--topic', topic], {});
    expect(run.code).toBe(0);
    const ids = jsonLines(run.stdout).map((l) => l.event!.id);
    const later = all()
      .filter((m) => m.timestamp >= T1)
      .map((m) => m.event.id);
    expect(ids.sort()).toEqual(later.sort());
    expect(later).toHaveLength(5);
  }, 120_000);

  it('--offset prints only the partitions named, from the offsets given', async () => {
    const from = held[1][1].offset;
    const run = await cli(['replay', '--offset', `1:${from}`, '--topic', topic], {});
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => `${l.partition}:${l.offset}`)).toEqual(
      held[1].slice(1).map((m) => `1:${m.offset}`),
    );
  }, 120_000);

  it('--format table prints a header and one row per event', async () => {
    const run = await cli(
      ['replay', '--from-beginning', '--format', 'table', '--topic', topic],
      {},
    );
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toMatch(
      /^PARTITION:OFFSET\s+SENT \(America\/Bogota\)\s+#\s+OPERATION\s+CHANNEL\s+FROM\s+TO\s+SUBJECT$/,
    );
    expect(rows).toHaveLength(13);
    expect(
      rows
        .slice(1)
        .every((r) =>
          /^\d:\d+\s+2026-03-01 10:\d\d:00\s+1\s+\S+\s+(campaign|email-route)-/.test(r),
        ),
    ).toBe(true);
  }, 120_000);

  it('prints a message that is not an event as an error line, and exits non-zero', async () => {
    const junk = uniqueTopic('replay-junk');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, { topics: [{ topic: junk, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const good = email(1);
    await producer.send({
      topic: junk,
      messages: [
        { key: good.event.id, value: good.value, headers: good.headers },
        {
          key: 'k',
          value: '{"not":"an event"}',
          headers: { 'content-type': 'application/cloudevents+json' },
        },
      ],
    });
    await producer.disconnect();
    const run = await cli(['replay', '--from-beginning', '--topic', junk], {});
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0].event!.id).toBe(good.event.id);
    expect(lines[1]).toMatchObject({
      partition: 0,
      offset: '1',
      key: 'k',
      error: expect.any(String),
    });
    expect(run.stderr).toContain('1 could not be decoded');
  }, 120_000);
});

/**
 * checkpoint, budget and backfill against a live poller: the backfill fills the range before
 * the poller's start, skips what the poller already published, fences nothing, and leaves the
 * topic holding the simulator's ground truth exactly once.
 */
describe('checkpoint, budget and backfill beside a running poller', () => {
  const id = uniqueTopic('cli');
  const server = id.replace(/[^A-Za-z0-9-]/g, '-');
  const env = {
    WOLKVOX_SERVER: server,
    EMAIL_SENT_TOPIC: `${id}.events`,
    EMAIL_DEAD_LETTER_TOPIC: `${id}.dlq`,
    POLLER_PROGRESS_TOPIC: `${id}.progress`,
  };
  const TOKEN = 'dev-token';
  let simulator: TestSimulator;
  let poller: PollerProcess;
  let kafka: Kafka;
  const now = new Date();
  const historyStart = new Date(now.getTime() - 3 * 3600_000);
  const pollerStart = new Date(now.getTime() - 3600_000);

  beforeAll(async () => {
    kafka = testKafka('cli-e2e');
    simulator = await startTestSimulator({
      seed: 'cli',
      generation: {
        from: wallTimeOf(historyStart, ZONE) + 30,
        to: wallTimeOf(now, ZONE) - 5,
        emailsPerHour: 300,
        duplicateRate: 0.02,
        invalidRate: 0.02,
        lateRate: 0,
        largeBodyRate: 0,
      },
    });
    poller = await PollerProcess.start({
      ...env,
      ...kafkaEnv(),
      LOG_LEVEL: 'info',
      WOLKVOX_TOKEN: TOKEN,
      WOLKVOX_BASE_URL: simulator.url,
      POLL_START_AT: pollerStart.toISOString(),
      POLL_INTERVAL_SECONDS: '2',
      POLL_LOOKBACK_SECONDS: '60',
      POLL_SETTLE_SECONDS: '0',
    });
    await poller.waitForReady(200, 120_000);
    // The first pass reads the hour since POLL_START_AT in one window, then reaches the present.
    await poller.waitFor(
      async () =>
        /^wolkvox_poller_cycles_total\{outcome="caught-up",reason="",operation="[^"]+"\} [1-9]/m.test(
          (await poller.get<string>('/metrics')).body,
        ),
      120_000,
      'the poller to catch up',
    );
  }, 300_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  it('checkpoint shows where the poller stands', async () => {
    const run = await cli(['checkpoint', '--json'], env);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as Record<string, unknown> & { budget: { used: number } };
    expect(view).toMatchObject({
      operation: server,
      timeZone: ZONE,
      generation: expect.any(Number),
    });
    expect(String(view.cursor) >= String(view.settledBefore)).toBe(true);
    expect(view.budget.used).toBeGreaterThanOrEqual(1);
    expect(view.budget.used).toBeLessThanOrEqual((await simulator.control.calls()).length);
    const text = await cli(['checkpoint'], env);
    expect(text.stdout).toMatch(/^cursor\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/m);
  }, 120_000);

  it("budget shows the day's spending against WOLKVOX_DAILY_QUOTA", async () => {
    const run = await cli(['budget', '--json'], { ...env, WOLKVOX_DAILY_QUOTA: '500' });
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as { used: number; limit: number; remaining: number };
    expect(view.limit).toBe(500);
    expect(view.remaining).toBe(500 - view.used);
  }, 120_000);

  it('backfill publishes only what is missing, twice over, and leaves the poller alone', async () => {
    const range = ['--from', historyStart.toISOString(), '--to', new Date().toISOString()];
    const backfillEnv = { ...env, WOLKVOX_TOKEN: TOKEN, WOLKVOX_BASE_URL: simulator.url };
    const first = await cli(['backfill', ...range, '--json', '--no-progress'], backfillEnv);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as {
      complete: boolean;
      published: { events: number; alreadyPublished: number };
    };
    expect(summary.complete).toBe(true);
    expect(summary.published.events).toBeGreaterThan(0);
    // The poller read from its start on: the backfill found those keys and skipped them.
    expect(summary.published.alreadyPublished).toBeGreaterThan(0);
    expect(first.stderr).toContain('the poller reads the range itself');

    const second = await cli(['backfill', ...range, '--json', '--no-progress'], backfillEnv);
    const again = JSON.parse(second.stdout) as typeof summary;
    expect(again.published.events).toBe(0);
    expect(again.published.alreadyPublished).toBeGreaterThanOrEqual(summary.published.events);

    // Not fenced: the poller stays ready and keeps polling.
    const ready = await poller.get<{ details: Record<string, { status: string }> }>(
      '/health/ready',
    );
    expect(ready.status).toBe(200);
    expect((await poller.get<string>('/metrics')).body).toMatch(
      /^wolkvox_poller_fenced\{operation="[^"]+"\} 0$/m,
    );

    const expected = expectedKeys(server, await simulator.control.truth());
    const events = await readTopicToEnd(kafka, env.EMAIL_SENT_TOPIC, { timeoutMs: 60_000 });
    const keys = events.map((m) => m.message.key!.toString());
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(new Set(expected.events));
    const letters = await readTopicToEnd(kafka, env.EMAIL_DEAD_LETTER_TOPIC, { timeoutMs: 60_000 });
    expect(new Set(letters.map((m) => m.message.key!.toString()))).toEqual(expected.deadLetters);
    expect(letters).toHaveLength(expected.deadLetters.size);
    expect(`${first.stdout}${first.stderr}`).not.toContain(TOKEN);
  }, 300_000);

  it('backfill refuses an operation that has no checkpoint', async () => {
    const run = await cli(
      ['backfill', '--from', historyStart.toISOString(), '--to', now.toISOString()],
      {
        ...env,
        WOLKVOX_SERVER: 'never-polled',
        WOLKVOX_TOKEN: TOKEN,
        WOLKVOX_BASE_URL: simulator.url,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no checkpoint');
  }, 120_000);
});
