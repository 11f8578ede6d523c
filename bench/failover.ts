/**
 * `npm run bench:failover`: how long publishing stops when one node of a three-node cluster is
 * lost. The real poller publishes live traffic (20 emails a second) to scripts/kafka/cluster.sh's
 * cluster (replication 3, min.insync.replicas 2); each node is killed (SIGKILL) three times, a
 * kill at a time with the node restarted and its replicas back in sync in between, then the three
 * are restarted one after another (SIGTERM, start). Figures, from the poller's own log of
 * committed windows: the time from the kill to the first commit after it, and the longest time
 * without a commit around it (from the last commit before the kill), median and worst per node.
 *
 *   npm run bench:failover              FAILOVER_ROUNDS=3 kills of each node by default
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatWallTime, wallTimeOf } from '@app/contracts';
import { CleanupStack } from './cleanup-stack.js';
import { commitGap, medianAndWorst, type CommitGap } from '../scripts/commit-gaps.js';
import { freePort } from '../scripts/free-port.js';
import { KafkaCluster, NODES, type NodeId } from '../scripts/kafka-cluster.js';
import { machineInfo } from './machine-info.js';
import { POLLER_MAIN, REPO_ROOT, workDir } from './paths.js';
import { SimulatorProcess } from './simulator-process.js';
import { stopProcess, tracked } from './stop-process.js';

const ZONE = 'America/Bogota';
const ROUNDS = Number(process.env.FAILOVER_ROUNDS ?? 3);
/** Publishing is watched this long after each fault (past the controller fencing the node). */
const WATCH_MS = 15_000;

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface LogLine {
  time: string;
  msg: string;
}

function commitsIn(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg?.startsWith('published window'))
    .map((l) => Date.parse(l.time));
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const machine = await machineInfo();
    const cluster = await KafkaCluster.create(join(REPO_ROOT, '.cache', 'bench'));
    log(`starting three nodes from ${cluster.brokers.join(',')}`);
    cleanup.push('the cluster', () => cluster.destroy());
    await cluster.start();
    const now = new Date();
    const nowWall = wallTimeOf(now, ZONE);
    const simulator = await SimulatorProcess.start('failover', {
      SIM_TIMEZONE: ZONE,
      SIM_SEED: 'failover-bench',
      SIM_DATA_FROM: formatWallTime(nowWall - 600),
      SIM_DATA_TO: formatWallTime(nowWall - 1),
      SIM_EMAILS_PER_HOUR: '600',
      SIM_LATE_RATE: '0',
    });
    cleanup.push('the simulator', () => simulator.stop());
    await simulator.live(20);

    const server = 'failover-bench';
    const logFile = join(workDir('logs'), 'poller-failover.log');
    const child = tracked(
      spawn(process.execPath, [POLLER_MAIN], {
        env: {
          ...process.env,
          HTTP_PORT: String(await freePort()),
          WOLKVOX_BASE_URL: simulator.url,
          WOLKVOX_TOKEN: 'dev-token',
          WOLKVOX_SERVER: server,
          WOLKVOX_TIMEZONE: ZONE,
          KAFKA_BROKERS: cluster.brokers.join(','),
          KAFKA_REPLICATION_FACTOR: '3',
          KAFKA_PARTITIONS: '1',
          EMAIL_SENT_TOPIC: `${server}.events`,
          EMAIL_DEAD_LETTER_TOPIC: `${server}.dlq`,
          POLLER_PROGRESS_TOPIC: `${server}.progress`,
          POLL_START_AT: new Date(now.getTime() - 660_000).toISOString(),
          POLL_INTERVAL_SECONDS: '1',
          POLL_SETTLE_SECONDS: '1',
          POLL_RECONCILE_DAYS: '0',
          // Debug: the log then shows each step of a recovery (claim, progress reads) with its time.
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', openSync(logFile, 'w'), openSync(`${logFile}.err`, 'w')],
      }),
    );
    cleanup.push('the poller', () => stopProcess(child, 20_000));
    const topics = [`${server}.events`, `${server}.progress`];
    const commits = (): number[] => commitsIn(logFile);
    // Caught up: windows commit about every second.
    await waitFor(
      () => commits().filter((t) => t > Date.now() - 3000).length >= 2,
      180_000,
      'live publishing',
    );

    const around = async (fault: () => Promise<void>): Promise<CommitGap> => {
      const at = Date.now();
      await fault();
      const until = Math.max(at + WATCH_MS, Date.now());
      await waitFor(() => commits().some((t) => t >= until), 180_000, 'a commit after the fault');
      return commitGap(commits(), at, until)!;
    };

    const kills = new Map<NodeId, CommitGap[]>(NODES.map((n) => [n, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const node of NODES) {
        const gap = await around(() => cluster.kill(node));
        kills.get(node)!.push(gap);
        log(
          `round ${round}, kill -9 of node ${node}: first commit after ${gap.firstAfterMs} ms, longest stop ${gap.longestMs} ms`,
        );
        await cluster.restart(node);
        await cluster.waitForFullIsr(topics);
      }
    }
    const rolling = await around(async () => {
      for (const node of NODES) {
        await cluster.stopNode(node);
        await cluster.restart(node);
        await cluster.waitForFullIsr(topics);
      }
    });
    log(`rolling restart: longest stop ${rolling.longestMs} ms`);
    await simulator.live(0);

    const rows = [...kills]
      .filter(([, gaps]) => gaps.length > 0)
      .map(([node, gaps]) => {
        const first = medianAndWorst(gaps.map((g) => g.firstAfterMs));
        const longest = medianAndWorst(gaps.map((g) => g.longestMs));
        return `| node ${node} | ${gaps.length} | ${s(first.median)} | ${s(first.worst)} | ${s(longest.median)} | ${s(longest.worst)} |`;
      });
    const all = [...kills.values()].flat();
    const overall = all.length
      ? medianAndWorst(all.map((g) => g.longestMs))
      : { median: NaN, worst: NaN };
    process.stdout.write(
      [
        `Failover, ${machine.cpuModel} (${machine.nproc} cores), Node ${process.versions.node}: three nodes, the poller publishing 20 emails/s`,
        '',
        '| killed (SIGKILL) | kills | kill -> first commit, median | worst | longest stop, median | worst |',
        '|---|---|---|---|---|---|',
        ...rows,
        `| any | ${all.length} | | | ${s(overall.median)} | ${s(overall.worst)} |`,
        '',
        `Rolling restart of the three (SIGTERM, start, replicas back in sync, next node): longest stop ${s(rolling.longestMs)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup.run(log);
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
