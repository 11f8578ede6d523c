/**
 * `npm run bench:fleet`: what a fleet costs (docs/FLEET.md). FLEET_OPERATIONS operations (50)
 * with steady live traffic, run from one operations file by one replica, then by three; beside
 * them a lone poller of one more operation, the baseline. Figures per replica: peak RSS, CPU per
 * operation-hour over a steady span (every operation caught up), calls per operation-minute
 * against the lone poller's; then one of the three replicas is killed (SIGKILL) and the time until
 * every operation it ran publishes again elsewhere. From the one-replica run and the lone
 * poller's RSS: the memory one more operation costs, and the largest fleet one replica serves
 * within the Deployment's 512 MiB limit.
 *
 *   npm run bench:fleet                 FLEET_OPERATIONS=50 FLEET_STEADY_SECONDS=120
 *
 * One simulator process serves every operation (the same records; each operation's events have
 * keys of their own), with its concurrency limit raised so that fifty tokens' worth of calls are
 * not refused as one token's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatWallTime, parseWallTime, wallTimeOf } from '@app/contracts';
import { CleanupStack } from './cleanup-stack.js';
import { freePort } from '../scripts/free-port.js';
import { startBenchKafka } from './kafka-broker.js';
import { machineInfo } from './machine-info.js';
import { POLLER_MAIN, workDir } from './paths.js';
import { ProcessSampler } from './process-stats.js';
import { SimulatorProcess } from './simulator-process.js';
import { stopProcess, tracked } from './stop-process.js';

const ZONE = 'America/Bogota';
const OPERATIONS = Number(process.env.FLEET_OPERATIONS ?? 50);
const STEADY_SECONDS = Number(process.env.FLEET_STEADY_SECONDS ?? 120);
const INTERVAL_SECONDS = 5;
const LIVE_PER_SECOND = 0.2;
const LIMIT_MIB = 512;
const TOKEN = 'dev-token';

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
}

interface ReadyBody {
  details?: {
    fleet?: { operations?: Record<string, { checkpoint?: { cursor?: string } }> };
  };
}

async function ready(port: number): Promise<ReadyBody | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
      signal: AbortSignal.timeout(5_000),
    });
    return (await response.json()) as ReadyBody;
  } catch {
    return undefined;
  }
}

/** Each operation's committed cursor, from whichever replica runs it. */
async function cursors(replicas: readonly Replica[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const replica of replicas) {
    const body = await ready(replica.port);
    for (const [server, state] of Object.entries(body?.details?.fleet?.operations ?? {})) {
      const cursor = parseWallTime(state.checkpoint?.cursor ?? '');
      if (cursor !== null) found.set(server, cursor);
    }
  }
  return found;
}

/** Resolves once every one of `servers` has a cursor past `instant`, with the time it took. */
async function allPast(
  replicas: readonly Replica[],
  servers: readonly string[],
  instant: Date,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  const wall = wallTimeOf(instant, ZONE);
  for (;;) {
    const now = await cursors(replicas);
    const behind = servers.filter((s) => (now.get(s) ?? -Infinity) <= wall);
    if (behind.length === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${behind.length} operations not past ${instant.toISOString()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Sample {
  cpuSeconds: number;
  peakRssBytes: number;
}

/** CPU used over `seconds` and the peak RSS, per process, sampled every second. */
async function steady(pids: readonly number[], seconds: number): Promise<Sample[]> {
  const samplers = pids.map((pid) => new ProcessSampler(pid, 1000));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return samplers.map((sampler) => {
    sampler.take();
    sampler.stop();
    const cpu = (sampler.last?.cpuSeconds ?? NaN) - (sampler.samples[0]?.cpuSeconds ?? NaN);
    return { cpuSeconds: cpu, peakRssBytes: sampler.highest.peakRssBytes };
  });
}

async function main(): Promise<void> {
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const machine = await machineInfo();
    const kafka = await startBenchKafka(process.env);
    cleanup.push('the broker', () => kafka.stop());
    const now = new Date();
    const nowWall = wallTimeOf(now, ZONE);
    // An hour of history and steady live traffic; the lone poller's own simulator counts its
    // calls apart from the fleet's.
    const startSimulator = async (name: string, env: Record<string, string> = {}) => {
      const started = await SimulatorProcess.start(name, {
        SIM_TIMEZONE: ZONE,
        SIM_SEED: 'fleet-bench',
        SIM_TOKEN: TOKEN,
        SIM_DATA_FROM: formatWallTime(nowWall - 3600),
        SIM_DATA_TO: formatWallTime(nowWall - 1),
        SIM_EMAILS_PER_HOUR: '360',
        SIM_LATE_RATE: '0',
        ...env,
      });
      cleanup.push(`the simulator ${name}`, () => started.stop());
      await started.live(LIVE_PER_SECOND);
      return started;
    };
    const simulator = await startSimulator('fleet', {
      SIM_MAX_CONCURRENCY: String(4 * (OPERATIONS + 1)),
    });
    const loneSimulator = await startSimulator('fleet-lone');

    const dir = workDir('fleet');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const run = `fleet-${Date.now().toString(36)}`;
    const servers = Array.from(
      { length: OPERATIONS },
      (_, n) => `${run}-${String(n).padStart(3, '0')}`,
    );
    const file = join(dir, 'operations.json');
    writeFileSync(
      file,
      JSON.stringify({
        operations: servers.map((server) => ({
          WOLKVOX_SERVER: server,
          WOLKVOX_TOKEN_FILE: join(dir, 'token'),
        })),
      }),
    );
    const common = {
      PATH: process.env.PATH ?? '',
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TIMEZONE: ZONE,
      KAFKA_BROKERS: kafka.brokers.join(','),
      EMAIL_SENT_TOPIC: `${run}.events`,
      EMAIL_DEAD_LETTER_TOPIC: `${run}.dlq`,
      POLLER_PROGRESS_TOPIC: `${run}.progress`,
      POLL_START_AT: new Date(now.getTime() - 3600_000).toISOString(),
      POLL_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      POLL_SETTLE_SECONDS: '5',
      POLL_RECONCILE_DAYS: '0',
      POLL_LEASE_SECONDS: '10',
      POLLER_FLEET_GROUP: `${run}-group`,
      POLLER_FLEET_TOPIC: `${run}.fleet`,
      POLLER_FLEET_SESSION_TIMEOUT_SECONDS: '6',
      LOG_LEVEL: 'warn',
    };
    const start = async (name: string, env: Record<string, string>): Promise<Replica> => {
      const port = await freePort();
      const out = openSync(join(workDir('logs'), `fleet-${name}.log`), 'w');
      const child = tracked(
        spawn(process.execPath, [POLLER_MAIN], {
          env: { ...common, ...env, HTTP_PORT: String(port), POLLER_INSTANCE_ID: name },
          stdio: ['ignore', out, out],
        }),
      );
      cleanup.push(name, () => stopProcess(child, 30_000));
      return { name, child, port };
    };
    const calls = async (of: SimulatorProcess): Promise<number> => (await of.calls()).length;

    // The baseline: one operation run alone, as before the fleet.
    const lone = await start('lone', {
      WOLKVOX_SERVER: `${run}-lone`,
      WOLKVOX_TOKEN: TOKEN,
      WOLKVOX_BASE_URL: loneSimulator.url,
    });

    // 1. One replica runs the fifty.
    const one = await start('one', { POLLER_OPERATIONS_FILE: file });
    const catchUpMs = await allPast([one], servers, new Date(), 900_000);
    log(
      `one replica: ${OPERATIONS} operations caught up an hour in ${(catchUpMs / 1000).toFixed(0)} s`,
    );
    const before = [await calls(simulator), await calls(loneSimulator)];
    const [oneSample, loneSample] = await steady([one.child.pid!, lone.child.pid!], STEADY_SECONDS);
    const fleetCalls = (await calls(simulator)) - before[0];
    const loneCalls = (await calls(loneSimulator)) - before[1];
    await stopProcess(one.child, 60_000);

    // 2. Three replicas share them; then one is killed.
    const three = [
      await start('r1', { POLLER_OPERATIONS_FILE: file }),
      await start('r2', { POLLER_OPERATIONS_FILE: file }),
      await start('r3', { POLLER_OPERATIONS_FILE: file }),
    ];
    await allPast(three, servers, new Date(Date.now() + 5_000), 600_000);
    const threeSamples = await steady(
      three.map((r) => r.child.pid!),
      STEADY_SECONDS,
    );
    const victim = three[0];
    const held = Object.keys((await ready(victim.port))?.details?.fleet?.operations ?? {});
    const killedAt = new Date();
    victim.child.kill('SIGKILL');
    const resumedMs = await allPast(
      three.slice(1),
      held,
      new Date(killedAt.getTime() + 1000),
      600_000,
    );

    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const perOpHour = (sample: Sample, ops: number): string =>
      `${((sample.cpuSeconds / ops) * (3600 / STEADY_SECONDS)).toFixed(1)} s`;
    const opMinutes = OPERATIONS * (STEADY_SECONDS / 60);
    const perOperationMib = (oneSample.peakRssBytes - loneSample.peakRssBytes) / (OPERATIONS - 1);
    const largest = Math.floor(
      (LIMIT_MIB * 2 ** 20 - loneSample.peakRssBytes) / Math.max(perOperationMib, 1) + 1,
    );
    process.stdout.write(
      [
        `Fleet, ${machine.cpuModel} (${machine.nproc} cores), Node ${process.versions.node}, ${kafka.description}: ${OPERATIONS} operations, ${LIVE_PER_SECOND} emails/s each, POLL_INTERVAL_SECONDS=${INTERVAL_SECONDS}, steady spans of ${STEADY_SECONDS} s`,
        '',
        '| run | operations | peak RSS | CPU per operation-hour |',
        '|---|---|---|---|',
        `| lone poller (baseline) | 1 | ${mib(loneSample.peakRssBytes)} | ${perOpHour(loneSample, 1)} |`,
        `| one replica | ${OPERATIONS} | ${mib(oneSample.peakRssBytes)} | ${perOpHour(oneSample, OPERATIONS)} |`,
        ...three.map(
          (r, i) =>
            `| replica ${r.name} of three | ~${Math.round(OPERATIONS / 3)} | ${mib(threeSamples[i].peakRssBytes)} | ${perOpHour(threeSamples[i], OPERATIONS / 3)} |`,
        ),
        '',
        `Calls per operation-minute over the span: ${(fleetCalls / opMinutes).toFixed(2)} in the fleet of one replica, ${(loneCalls / (STEADY_SECONDS / 60)).toFixed(2)} for the lone poller (ratio ${(fleetCalls / opMinutes / (loneCalls / (STEADY_SECONDS / 60))).toFixed(2)})`,
        `Catch-up of an hour per operation, one replica: ${(catchUpMs / 1000).toFixed(0)} s for all ${OPERATIONS}`,
        `kill -9 of replica ${victim.name} (${held.length} operations): all publishing again elsewhere after ${(resumedMs / 1000).toFixed(1)} s (session 6 s, lease 10 s)`,
        `One more operation costs about ${(perOperationMib / 2 ** 20).toFixed(1)} MiB on one replica: about ${largest} operations fit in ${LIMIT_MIB} MiB`,
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup.run(log);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
