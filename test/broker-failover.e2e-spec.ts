/**
 * Three brokers of its own, and an upper bound on each stop in publishing that CPU contention
 * stretches.
 *
 * @lane solo
 */
import { wallTimeOf } from '@app/contracts';
import { KAFKA_CLIENTS, type KafkaClientName } from '../apps/poller/src/kafka/kafka-client.js';
import { commitGap, type CommitGap } from '../scripts/commit-gaps.js';
import { KafkaCluster, NODES, type NodeId } from '../scripts/kafka-cluster.js';
import { clientNamed } from './support/kafka.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import {
  checkStream,
  exactlyOnce,
  isolatedEnv,
  logged,
  note,
  pollerEnv,
  waitForCursorPast,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

/**
 * A bound on a stop in publishing when one of three nodes is lost, on either client. The target
 * is under 10 s (docs/OPERATIONS.md), and `npm run bench:failover` measures it (BENCHMARKS.md:
 * worst 9.4 s). A test on a loaded 2-core machine asserts a behaviour, not a timing: twice the
 * target still fails the old kafkajs settings (27 to 76 s for the leader's node) and
 * @platformatic/kafka's transaction coordinator looked up in stale metadata (20 to 29 s after
 * the coordinator's node was lost or restarted) without failing a slow run.
 */
const MAX_STALL_MS = 20_000;

/** How long after a fault publishing is watched: past the controller fencing the lost node. */
const WATCH_MS = 15_000;

/**
 * docs/CONTRACT.md section 4, "through broker outages", on a cluster: three nodes (replication 3,
 * min.insync.replicas 2) and the poller publishing live traffic while the node leading the
 * events partition is killed, then the node coordinating the poller's transactions, then all
 * three are restarted one after another. Publishing stops for less than MAX_STALL_MS each time
 * (measured from the poller's own log of committed windows) and every email is published
 * exactly once. One poller per Kafka client (KAFKA_CLIENT), each with its own operation and
 * simulator, through the same faults on the same cluster: the leader and coordinator killed are
 * those of the kafkajs poller's operation (the other's may sit on another node).
 */
describe('losing a broker of three', () => {
  interface Run {
    client: KafkaClientName;
    operation: Record<string, string>;
    simulator: TestSimulator;
    poller: PollerProcess;
  }
  const operations = KAFKA_CLIENTS.map((client) => ({
    client,
    operation: isolatedEnv(`failover-${client}`),
  }));
  const transactionalId = `wolkvox-poller-${operations[0].operation.WOLKVOX_SERVER}`;
  let cluster: KafkaCluster;
  let runs: Run[] = [];

  beforeAll(async () => {
    cluster = await KafkaCluster.create();
    await cluster.start();
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    runs = await Promise.all(
      operations.map(async ({ client, operation }) => {
        const simulator = await startTestSimulator({
          seed: `failover-${client}`,
          generation: { from: end - 600, to: end - 1, emailsPerHour: 600, lateRate: 0 },
          livePerSecond: 20,
        });
        const poller = await PollerProcess.start(
          pollerEnv(simulator, operation, {
            KAFKA_CLIENT: client,
            KAFKA_BROKERS: cluster.brokers.join(','),
            KAFKA_REPLICATION_FACTOR: '3',
            KAFKA_PARTITIONS: '1',
            POLL_START_AT: new Date(now.getTime() - 660_000).toISOString(),
            POLL_INTERVAL_SECONDS: '1',
            POLL_LOOKBACK_SECONDS: '120',
            POLL_SETTLE_SECONDS: '1',
          }),
        );
        return { client, operation, simulator, poller };
      }),
    );
    for (const { poller } of runs) {
      await poller.waitForReady(200, 120_000);
      await waitForCursorPast(poller, new Date(Date.now() - 2000));
    }
  }, 300_000);

  afterAll(async () => {
    for (const { poller, simulator } of runs) {
      await poller.stop();
      await simulator.close();
    }
    await cluster?.destroy();
  }, 180_000);

  /** Instants at which the poller committed a window, from its log. */
  const commits = (poller: PollerProcess): number[] =>
    logged(poller, 'published window').map((line) => Date.parse(String(line.time)));

  /**
   * Runs `fault`, waits until each poller has published past WATCH_MS after it (or after the
   * fault's end, for a long one), and returns each one's longest stop in publishing around it,
   * with what its /health/ready said of the brokers meanwhile (asked every 250 ms).
   */
  async function stallAround(
    what: string,
    fault: () => Promise<void>,
  ): Promise<Array<CommitGap & { client: KafkaClientName; unanswered: string[] }>> {
    const at = Date.now();
    const probed = new Map<PollerProcess, Probe[]>(runs.map((r) => [r.poller, []]));
    let probing = true;
    const probes = runs.map(async ({ poller }) => {
      while (probing) {
        const answer = await poller.get<ReadyBody>('/health/ready').catch(() => undefined);
        const message = answer?.body.details?.kafka?.message;
        const lost =
          typeof message === 'string' && message.startsWith('the brokers did not answer');
        probed.get(poller)!.push({ at: Date.now(), ...(lost ? { unanswered: message } : {}) });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    try {
      await fault();
      const until = Math.max(at + WATCH_MS, Date.now());
      const gaps = [];
      for (const { client, poller } of runs) {
        await waitForCursorPast(poller, new Date(until), 120_000);
        const gap = commitGap(commits(poller), at, until)!;
        const seen = probed.get(poller)!;
        const missed = seen.filter((probe) => probe.unanswered);
        const lasting = readinessLost(seen);
        note(
          'failover',
          `${what}, poller on ${client}: first commit ${gap.firstAfterMs} ms after, longest stop ${gap.longestMs} ms, ${missed.length} probes saw no answer`,
        );
        if (gap.longestMs >= MAX_STALL_MS) note('failover', stepsBetween(poller, at, until));
        gaps.push({ ...gap, client, unanswered: lasting });
      }
      return gaps;
    } finally {
      probing = false;
      await Promise.all(probes);
    }
  }

  /** The poller's own warnings and errors (its client's included) from `from` to `to`, one a line. */
  function stepsBetween(poller: PollerProcess, from: number, to: number): string {
    return poller
      .logLines()
      .filter((line) => {
        const time = Date.parse(String(line.time));
        return time >= from && time <= to && line.level !== 'info' && line.level !== 'debug';
      })
      .map(
        (line) => `${String(line.time).slice(11, 23)} ${String(line.context)} ${String(line.msg)}`,
      )
      .join('\n');
  }

  async function backToFull(node: NodeId): Promise<void> {
    await cluster.restart(node);
    await cluster.waitForFullIsr(
      runs.flatMap(({ operation }) => [
        operation.EMAIL_SENT_TOPIC,
        operation.POLLER_PROGRESS_TOPIC,
      ]),
    );
  }

  /** Each poller's longest stop, by client, and whether its readiness ever lost the brokers. */
  const byClient = (gaps: Awaited<ReturnType<typeof stallAround>>) =>
    Object.fromEntries(
      gaps.map((g) => [
        g.client,
        { stoppedUnderMax: g.longestMs < MAX_STALL_MS, unanswered: g.unanswered },
      ]),
    );
  const allKept = Object.fromEntries(
    KAFKA_CLIENTS.map((client) => [client, { stoppedUnderMax: true, unanswered: [] }]),
  );

  it('keeps publishing when the node leading the events partition is killed', async () => {
    const leader = await cluster.leaderOf(operations[0].operation.EMAIL_SENT_TOPIC);
    const gaps = await stallAround(`kill -9 of node ${leader} (events leader)`, () =>
      cluster.kill(leader),
    );
    await backToFull(leader);
    // Two nodes of three answer: readiness must not say the brokers are gone (one slow check
    // aside: UNANSWERED_STRETCH_MS).
    expect(byClient(gaps)).toEqual(allKept);
  }, 300_000);

  it("keeps publishing when the transaction coordinator's node is killed", async () => {
    const coordinator = await cluster.coordinatorOf(transactionalId);
    const gaps = await stallAround(`kill -9 of node ${coordinator} (coordinator)`, () =>
      cluster.kill(coordinator),
    );
    await backToFull(coordinator);
    expect(byClient(gaps)).toEqual(allKept);
  }, 300_000);

  it('keeps publishing through a rolling restart of the three nodes', async () => {
    const gaps = await stallAround('rolling restart', async () => {
      for (const node of NODES) {
        await cluster.stopNode(node);
        await backToFull(node);
      }
    });
    expect(Object.fromEntries(gaps.map((g) => [g.client, g.longestMs < MAX_STALL_MS]))).toEqual(
      Object.fromEntries(KAFKA_CLIENTS.map((client) => [client, true])),
    );
  }, 600_000);

  it('published every email exactly once', async () => {
    for (const { simulator } of runs) await simulator.control.live(0);
    for (const { client, operation, simulator, poller } of runs) {
      await waitForCursorPast(poller, new Date(Date.now() + 1000));
      const check = await checkStream(cluster.client(), operation, simulator);
      // Sends kafkajs resolved with partitions left out, caught and read again (kafkajs-checked-send.ts).
      const caught = poller.stdout.split('\n').filter((l) => l.includes('without an answer for'));
      note(
        'failover',
        `poller on ${client}: ${check.total.found} emails, ${check.total.duplicates} twice, ${check.total.lost} lost; ${caught.length} short sends caught`,
      );
      if (check.total.duplicates > 0) {
        const where = await whereDuplicated(operation.EMAIL_SENT_TOPIC).catch(String);
        note('failover', `poller on ${client}: ${where}`);
      }
      expect(check.total.expected).toBeGreaterThan(0);
      expect({ client, total: check.total }).toEqual({
        client,
        total: exactlyOnce(check.total.expected),
      });
    }
  }, 300_000);

  /**
   * Where the copies of duplicated keys sit, as each client's reader sees the topic (for the
   * next engineer, when this file fails on duplicates): copies at neighbouring offsets were
   * written twice by one transaction, copies far apart by two; duplicates that one reader sees
   * and the other does not are that reader's filtering of aborted records, not the poller's.
   */
  async function whereDuplicated(topic: string): Promise<string> {
    const readers = KAFKA_CLIENTS.map(
      (name) => [name, clientNamed(name, 'failover-duplicates', cluster.brokers)] as const,
    );
    const seen: string[] = [];
    for (const [name, reader] of readers) {
      const offsets = new Map<string, string[]>();
      for (const { partition, offset, message } of await reader.readToEnd(topic, {
        timeoutMs: 60_000,
      })) {
        const key = message.key?.toString() ?? '?';
        offsets.set(key, [...(offsets.get(key) ?? []), `${partition}:${offset}`]);
      }
      const twice = [...offsets].filter(([, at]) => at.length > 1);
      const shown = twice.slice(0, 5).map(([key, at]) => `${key.slice(-8)} at ${at.join(' and ')}`);
      seen.push(`${name}'s reader: ${twice.length} keys twice (${shown.join('; ')})`);
    }
    return seen.join('; ');
  }
});

interface Probe {
  at: number;
  /** Set when readiness said the brokers did not answer. */
  unanswered?: string;
}

/**
 * How long a stretch of probes saying the brokers did not answer may last. A probe waits
 * KAFKA_CHECK_TIMEOUT_MS (2.5 s) for describeCluster, and a busy process losing a node may miss
 * that once; the probes that arrive meanwhile share that one check's answer, so they end within
 * milliseconds of each other. Two checks missed in a row span at least 2.5 s. Kubernetes acts
 * on three failed probes ten seconds apart (deploy/k8s): one check's miss is no loss of the
 * brokers, two in a row are.
 */
const UNANSWERED_STRETCH_MS = 2_000;

/** The stretches of unanswered probes (first to last, with no answered probe between) too long. */
function readinessLost(probes: readonly Probe[]): string[] {
  const stretches: string[] = [];
  let start: Probe | undefined;
  let last: Probe | undefined;
  const end = () => {
    if (start && last && last.at - start.at >= UNANSWERED_STRETCH_MS)
      stretches.push(`${last.at - start.at} ms: ${start.unanswered}`);
    start = last = undefined;
  };
  for (const probe of probes) {
    if (!probe.unanswered) end();
    else {
      start ??= probe;
      last = probe;
    }
  }
  end();
  return stretches;
}
