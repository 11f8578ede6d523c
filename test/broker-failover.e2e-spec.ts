/**
 * Three brokers of its own, and an upper bound on each stop in publishing that CPU contention
 * stretches.
 *
 * @lane solo
 */
import { wallTimeOf } from '@app/contracts';
import { commitGap, type CommitGap } from '../scripts/commit-gaps.js';
import { KafkaCluster, NODES, type NodeId } from '../scripts/kafka-cluster.js';
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
 * A bound on a stop in publishing when one of three nodes is lost. The target is under 10 s
 * (docs/OPERATIONS.md), and `npm run bench:failover` measures it (BENCHMARKS.md: worst 9.4 s).
 * A test on a loaded 2-core machine asserts a behaviour, not a timing: twice the target still
 * fails the old client settings (27 to 76 s for the leader's node) without failing a slow run.
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
 * exactly once.
 */
describe('losing a broker of three', () => {
  const operation = isolatedEnv('failover');
  const transactionalId = `wolkvox-poller-${operation.WOLKVOX_SERVER}`;
  let cluster: KafkaCluster;
  let simulator: TestSimulator;
  let poller: PollerProcess;

  beforeAll(async () => {
    cluster = await KafkaCluster.create();
    await cluster.start();
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    simulator = await startTestSimulator({
      seed: 'failover',
      generation: { from: end - 600, to: end - 1, emailsPerHour: 600, lateRate: 0 },
      livePerSecond: 20,
    });
    poller = await PollerProcess.start(
      pollerEnv(simulator, operation, {
        KAFKA_BROKERS: cluster.brokers.join(','),
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_PARTITIONS: '1',
        POLL_START_AT: new Date(now.getTime() - 660_000).toISOString(),
        POLL_INTERVAL_SECONDS: '1',
        POLL_LOOKBACK_SECONDS: '120',
        POLL_SETTLE_SECONDS: '1',
      }),
    );
    await poller.waitForReady(200, 120_000);
    await waitForCursorPast(poller, new Date(Date.now() - 2000));
  }, 300_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
    await cluster?.destroy();
  }, 180_000);

  /** Instants at which the poller committed a window, from its log. */
  const commits = (): number[] =>
    logged(poller, 'published window').map((line) => Date.parse(String(line.time)));

  /**
   * Runs `fault`, waits until the poller has published past WATCH_MS after it (or after the
   * fault's end, for a long one), and returns the longest stop in publishing around it, with
   * what /health/ready said of the brokers meanwhile (asked every 250 ms).
   */
  async function stallAround(
    what: string,
    fault: () => Promise<void>,
  ): Promise<CommitGap & { unanswered: string[] }> {
    const at = Date.now();
    const unanswered: string[] = [];
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const answer = await poller.get<ReadyBody>('/health/ready').catch(() => undefined);
        const message = answer?.body.details?.kafka?.message;
        if (typeof message === 'string' && message.startsWith('the brokers did not answer'))
          unanswered.push(message);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      await fault();
      const until = Math.max(at + WATCH_MS, Date.now());
      await waitForCursorPast(poller, new Date(until), 120_000);
      const gap = commitGap(commits(), at, until)!;
      note(
        'failover',
        `${what}: first commit ${gap.firstAfterMs} ms after, longest stop ${gap.longestMs} ms, ${unanswered.length} probes saw no answer`,
      );
      if (gap.longestMs >= MAX_STALL_MS) note('failover', stepsBetween(at, until));
      return { ...gap, unanswered };
    } finally {
      probing = false;
      await probes;
    }
  }

  /** The poller's own warnings and errors (kafkajs's included) from `from` to `to`, one a line. */
  function stepsBetween(from: number, to: number): string {
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
    await cluster.waitForFullIsr([operation.EMAIL_SENT_TOPIC, operation.POLLER_PROGRESS_TOPIC]);
  }

  it('keeps publishing when the node leading the events partition is killed', async () => {
    const leader = await cluster.leaderOf(operation.EMAIL_SENT_TOPIC);
    const gap = await stallAround(`kill -9 of node ${leader} (events leader)`, () =>
      cluster.kill(leader),
    );
    await backToFull(leader);
    expect(gap.longestMs).toBeLessThan(MAX_STALL_MS);
    // Two nodes of three answer: readiness must not say the brokers are gone.
    expect(gap.unanswered).toEqual([]);
  }, 300_000);

  it("keeps publishing when the transaction coordinator's node is killed", async () => {
    const coordinator = await cluster.coordinatorOf(transactionalId);
    const gap = await stallAround(`kill -9 of node ${coordinator} (coordinator)`, () =>
      cluster.kill(coordinator),
    );
    await backToFull(coordinator);
    expect(gap.longestMs).toBeLessThan(MAX_STALL_MS);
    expect(gap.unanswered).toEqual([]);
  }, 300_000);

  it('keeps publishing through a rolling restart of the three nodes', async () => {
    const gap = await stallAround('rolling restart', async () => {
      for (const node of NODES) {
        await cluster.stopNode(node);
        await backToFull(node);
      }
    });
    expect(gap.longestMs).toBeLessThan(MAX_STALL_MS);
  }, 600_000);

  it('published every email exactly once', async () => {
    await simulator.control.live(0);
    await waitForCursorPast(poller, new Date(Date.now() + 1000));
    const check = await checkStream(cluster.client(), operation, simulator);
    note(
      'failover',
      `${check.total.found} emails, ${check.total.duplicates} twice, ${check.total.lost} lost`,
    );
    expect(check.total.expected).toBeGreaterThan(0);
    expect(check.total).toEqual(exactlyOnce(check.total.expected));
  }, 300_000);
});
