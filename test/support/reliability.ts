import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatWallTime, parseWallTime, wallTimeOf, type WallSeconds } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { ROWS_DIR, type ReliabilityRow } from '../../scripts/reliability-report.js';
import { compareStream, expectedKeys, type StreamComparison } from './ground-truth.js';
import { testBrokers } from './kafka.js';
import { isolatedEnv, readDeadLetters, readEvents } from './poller-app.js';
import { POLLER_MAIN, type Exit, type PollerProcess, type ReadyBody } from './poller-process.js';
import type { TestSimulator } from './simulator.js';

/**
 * Shared by the fault tests (crash, broker outage, API faults, rivals, load): the poller's
 * environment, a hard kill, process memory, metrics, "wait for a full pass", the comparison
 * with the simulator's ground truth, and the row each test records for RELIABILITY.md.
 */

export const TOKEN = 'dev-token';
export const ZONE = 'America/Bogota';
/** FAULTS_LONG=1 runs the long variants (minutes each instead of about one). */
export const LONG = process.env.FAULTS_LONG === '1';
/** Seeds every random choice the tests make (kill moments); the simulator has its own seeds. */
export const SEED = process.env.FAULTS_SEED ?? 'reliability';

export function note(tag: string, message: string): void {
  process.stderr.write(`[${tag}] ${message}\n`);
}

/** The environment of a poller of an operation of its own, reading `simulator`. */
export function pollerEnv(
  simulator: TestSimulator,
  operation: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...operation,
    WOLKVOX_TOKEN: TOKEN,
    WOLKVOX_BASE_URL: simulator.url,
    WOLKVOX_TIMEZONE: ZONE,
    KAFKA_BROKERS: testBrokers().join(','),
    POLL_SETTLE_SECONDS: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export { isolatedEnv };

// ---------------------------------------------------------------------------------------------
// The process: its pid (PollerProcess does not expose it), a real crash, its memory.

/**
 * The pid of a poller this process spawned, found in /proc: a child of this process running
 * the built poller with this HTTP_PORT in its environment. PollerProcess keeps its ChildProcess
 * private, and a crash test needs the pid for SIGKILL (stop() sends SIGTERM first, which lets
 * the poller finish its cycle: not a crash) and for /proc/<pid>/status.
 */
export async function pidOf(poller: PollerProcess, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // Field 4 of stat is the parent pid; the command name may hold spaces, hence the ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(POLLER_MAIN)) continue;
        const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
        if (environ.includes(`HTTP_PORT=${poller.port}`)) return Number(entry);
      } catch {
        // The process ended while being looked at.
      }
    }
    // Between fork and exec the child still shows this process's command line.
    if (Date.now() > deadline)
      throw new Error(`no poller process on port ${poller.port}\n${poller.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGKILL: no shutdown hook runs, the transaction in flight stays open, as in a crash. */
export async function crash(poller: PollerProcess, pid: number): Promise<Exit> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    throw new Error(`the poller was gone before the kill\n${poller.tail()}`, { cause: error });
  }
  return poller.exited;
}

/** Resident memory of a process in KiB (VmRSS), or undefined once it is gone. */
export function residentKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics and the poll loop.

/** The values of one metric in Prometheus text, summed over the samples whose labels match. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}) {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).some(([k, v]) => found[k] !== v)) continue;
    sum += Number(match[3]);
    seen = true;
  }
  return seen ? sum : undefined;
}

export async function metrics(poller: PollerProcess): Promise<string> {
  return (await poller.get<string>('/metrics')).body;
}

/** Cycles of a poller that reached the present (a pass ended). */
export async function passesDone(poller: PollerProcess): Promise<number> {
  const text = await metrics(poller).catch(() => '');
  return metricValue(text, 'wolkvox_poller_cycles_total', { outcome: 'caught-up' }) ?? 0;
}

/**
 * Waits until the poller has ended `passes` more passes than it had when called. A pass that
 * was under way when the call was made may have planned its windows before the latest records
 * appeared; the one after it started later and reads everything visible by then, look-back
 * included. So two passes after the last record appeared means that record was read.
 */
export async function waitForPasses(
  poller: PollerProcess,
  passes = 2,
  timeoutMs = 180_000,
): Promise<void> {
  const start = await passesDone(poller);
  await poller.waitFor(
    async () => (await passesDone(poller)) >= start + passes,
    timeoutMs,
    `${passes} more passes to reach the present`,
  );
}

/** The committed checkpoint's cursor, from /health/ready (there whether ready or not). */
export async function cursorOf(poller: PollerProcess): Promise<WallSeconds | undefined> {
  const answer = await poller.get<ReadyBody>('/health/ready').catch(() => undefined);
  const cursor = answer?.body.details?.checkpoint?.cursor;
  return typeof cursor === 'string' ? (parseWallTime(cursor) ?? undefined) : undefined;
}

/**
 * Waits until the committed cursor is past `instant` on the operation's clock: every date up to
 * it has been read and published. With POLL_SETTLE_SECONDS >= 1 a second is read only once it
 * is over, so the emails of live traffic that stopped before `instant` are then all published.
 * (Unlike waitForPasses, this does not need a pass to reach the present.)
 */
export async function waitForCursorPast(
  poller: PollerProcess,
  instant: Date,
  timeoutMs = 180_000,
): Promise<void> {
  const wall = wallTimeOf(instant, ZONE);
  await poller.waitFor(
    async () => ((await cursorOf(poller)) ?? -Infinity) > wall,
    timeoutMs,
    `the checkpoint's cursor to pass ${formatWallTime(wall)}`,
  );
}

/**
 * The log lines of a poller that was killed: like logLines(), but a last line the kill cut off
 * mid-write is dropped rather than failing the test.
 */
export function linesOfKilled(poller: PollerProcess): Array<Record<string, unknown>> {
  const lines = poller.stdout.split('\n').filter(Boolean);
  return lines.flatMap((line, i) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch (error) {
      if (i === lines.length - 1 && !poller.stdout.endsWith('\n')) return [];
      throw new Error(`poller wrote a line that is not JSON: ${line}`, { cause: error });
    }
  });
}

/** The poller's JSON log lines whose message starts with `prefix`. */
export function logged(poller: PollerProcess, prefix: string): Array<Record<string, unknown>> {
  return poller
    .logLines()
    .filter((line) => typeof line.msg === 'string' && line.msg.startsWith(prefix));
}

// ---------------------------------------------------------------------------------------------
// The comparison with the ground truth.

export interface StreamCheck {
  events: StreamComparison;
  deadLetters: StreamComparison;
  /** Both topics together: the figures of the reliability table. */
  total: StreamComparison;
}

/**
 * How long a key may be missing from the committed stream before it counts as lost. A
 * transaction's commit() returns once the coordinator has logged the decision; its markers reach
 * the partitions shortly after, and until then read_committed stops before its records (the
 * last stable offset). A check made right after the cursor moved past the last window can
 * therefore miss that window's records for a moment (seen: 20 "lost" on a three-node cluster,
 * found a second later). Records of a committed transaction always appear; lost ones never do.
 */
const MARKERS_WITHIN_MS = 30_000;

/**
 * Reads the events and dead-letter topics of `operation` with read_committed and compares their
 * keys with what the simulator's ground truth says they must hold. While keys are missing, reads
 * again (up to MARKERS_WITHIN_MS) for the last commit's markers to land.
 */
export function checkStream(
  kafka: Kafka,
  operation: Record<string, string>,
  simulator: TestSimulator,
): Promise<StreamCheck> {
  return checkStreams(kafka, operation, [{ server: operation.WOLKVOX_SERVER, simulator }]);
}

/**
 * checkStream for topics that several operations share (a fleet's): every operation's expected
 * keys, each read from its own simulator, against everything the topics hold.
 */
export async function checkStreams(
  kafka: Kafka,
  topics: Record<string, string>,
  sources: ReadonlyArray<{ server: string; simulator: TestSimulator }>,
): Promise<StreamCheck> {
  const deadline = Date.now() + MARKERS_WITHIN_MS;
  for (;;) {
    const check = await checkStreamsOnce(kafka, topics, sources);
    if (check.total.lost === 0 || Date.now() >= deadline) return check;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function checkStreamsOnce(
  kafka: Kafka,
  topics: Record<string, string>,
  sources: ReadonlyArray<{ server: string; simulator: TestSimulator }>,
): Promise<StreamCheck> {
  const expected = { events: [] as string[], deadLetters: [] as string[] };
  for (const { server, simulator } of sources) {
    const keys = expectedKeys(server, await simulator.control.truth());
    expected.events.push(...keys.events);
    expected.deadLetters.push(...keys.deadLetters);
  }
  const events = compareStream(
    expected.events,
    (await readEvents(kafka, topics.EMAIL_SENT_TOPIC)).map((e) => e.id),
  );
  const deadLetters = compareStream(
    expected.deadLetters,
    (await readDeadLetters(kafka, topics.EMAIL_DEAD_LETTER_TOPIC)).map((d) => d.key),
  );
  const total: StreamComparison = {
    expected: events.expected + deadLetters.expected,
    found: events.found + deadLetters.found,
    duplicates: events.duplicates + deadLetters.duplicates,
    lost: events.lost + deadLetters.lost,
    unexpected: events.unexpected + deadLetters.unexpected,
  };
  return { events, deadLetters, total };
}

/** What a correct stream looks like: every expected key once, nothing else. */
export function exactlyOnce(expected: number): StreamComparison {
  return { expected, found: expected, duplicates: 0, lost: 0, unexpected: 0 };
}

/**
 * Records read with read_uncommitted: committed ones plus those of aborted transactions. More
 * than the committed count proves a transaction was cut after it had written events.
 */
export async function recordsReadUncommitted(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  // After every poller stopped, no transaction is open: the stable end is the log's end.
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic))
      .filter((o) => BigInt(o.high) > BigInt(o.low))
      .map((o) => [o.partition, BigInt(o.high)] as const),
  );
  await admin.disconnect();
  if (ends.size === 0) return 0;
  const consumer = kafka.consumer({
    groupId: `uncommitted-${topic}-${Date.now()}`,
    readUncommitted: true,
  });
  let count = 0;
  const pending = new Set(ends.keys());
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    // END_BATCH_PROCESS also reports batches of control records only (transaction markers).
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const end = ends.get(payload.partition);
      if (end !== undefined && BigInt(payload.lastOffset) >= end - 1n)
        pending.delete(payload.partition);
      if (pending.size === 0) finish();
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        if (BigInt(message.offset) < (ends.get(partition) ?? 0n)) count++;
        return Promise.resolve();
      },
    });
    await withTimeout(done, 120_000, `reading ${topic} read_uncommitted to its end`);
  } finally {
    await consumer.disconnect();
  }
  return count;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// The reliability table.

export type RowInput = Omit<
  ReliabilityRow,
  'expected' | 'found' | 'duplicates' | 'lost' | 'unexpected' | 'recordedAt' | 'variant'
> & { check: StreamCheck };

/**
 * Writes the row of one scenario to .cache/reliability/<id>.json (<id>.long.json for the long
 * variant), before the test asserts: a failing run must show in the table as failed, not keep
 * the last good row.
 */
export function recordRow(input: RowInput): ReliabilityRow {
  const { check, ...rest } = input;
  const row: ReliabilityRow = {
    ...rest,
    variant: LONG ? 'long' : 'ci',
    ...check.total,
    notes: [
      `events: ${summary(check.events)}; dead letters: ${summary(check.deadLetters)}`,
      ...rest.notes,
    ],
    recordedAt: new Date().toISOString(),
  };
  mkdirSync(ROWS_DIR, { recursive: true });
  // The long variant's row sits beside the CI one rather than replacing it.
  const file = `${row.id}${LONG ? '.long' : ''}.json`;
  writeFileSync(join(ROWS_DIR, file), `${JSON.stringify(row, null, 2)}\n`);
  return row;
}

function summary(c: StreamComparison): string {
  return `${c.expected} expected, ${c.found} found, ${c.duplicates} duplicated, ${c.lost} lost, ${c.unexpected} unexpected`;
}

/** Seconds since `startedAt` (ms), for the table's duration column. */
export const secondsSince = (startedAt: number): number => (Date.now() - startedAt) / 1000;
