import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseWallTime } from '@app/contracts';
import type { Admin } from 'kafkajs';
import { WOLKVOX_LIMITS } from '../apps/poller/src/cycle/window-planner.js';
import { KAFKA_CLIENTS } from '../apps/poller/src/kafka/kafka-client.js';
import { deleteTopics, pollerConfig } from './bench-topics.js';
import { runChildScript } from './child-script.js';
import type { CleanupStack } from './cleanup-stack.js';
import type { EmailRecord } from './email-corpus.js';
import { writeExpectedEvents, type ExpectedOutput } from './encoded-events.js';
import type { FetchInput } from './fetch-parse.js';
import { fewestCalls } from './fewest-calls.js';
import { replayPlanner, type DensityRule, type RecordWalls } from './planner-replay.js';
import type { Measurement } from './measurement.js';
import { workDir } from './paths.js';
import { runPoller, type PollerMeasurement } from './poller-run.js';
import { describe, measureProducers } from './producer-baselines.js';
import { profilePoller, type ProfileSummary } from './profile-run.js';
import { SimulatorProcess } from './simulator-process.js';
import { ratios, summarize, type ToolSummary } from './summary.js';
import { workload, ZONE, type WorkloadId } from './workloads.js';

/** The planner is replayed with the poller's settings (first) and alternatives to weigh. */
const REPLAYS: Array<{ targetRecords: number; rule: DensityRule }> = [
  { targetRecords: 45_000, rule: 'whole-pass' },
  { targetRecords: 50_000, rule: 'whole-pass' },
  { targetRecords: 55_000, rule: 'whole-pass' },
  { targetRecords: 45_000, rule: 'last-window' },
  { targetRecords: 55_000, rule: 'last-window' },
];

/** The operation every run reads as: keys (and so event bytes) are the same in every tool. */
const SERVER = 'bench';
const TOKEN = 'bench-token';

export interface WorkloadContext {
  brokers: string[];
  admin: Admin;
  runs: number;
  profile: 'cpu' | 'memory' | undefined;
  pollerNodeOptions: string | undefined;
  cleanup: CleanupStack;
  log: (line: string) => void;
}

export interface WorkloadResult {
  id: WorkloadId;
  title: string;
  expected: Omit<ExpectedOutput, 'messageFile'>;
  measurements: Measurement[];
  summaries: ToolSummary[];
  ratios: Array<{ over: string; ratio: number }>;
  /** The windows of the poller's last run, and the fewest calls the API's limits allow. */
  pollerWindows: PollerMeasurement['windows'];
  fewestCalls: number;
  /** The poller's planner replayed on the ground truth with other window targets. */
  plannerReplay: Array<{ targetRecords: number; rule: DensityRule; calls: number; cut: number }>;
  pollerMemory: { peakHeapUsedMb: number; peakExternalMb: number };
  loadAverage: { before: number[]; after: number[] };
  profile?: ProfileSummary;
}

/**
 * One workload: the simulator serving it, the events it must become, then `runs` rounds of the
 * poller and every baseline, interleaved so that a change of load on the machine touches all
 * tools alike.
 */
export async function benchWorkload(id: WorkloadId, ctx: WorkloadContext): Promise<WorkloadResult> {
  const before = loadavg();
  const spec = workload(id, new Date());
  ctx.log(`${spec.title}: starting the simulator`);
  const simulator = await SimulatorProcess.start(`${id}-${Date.now()}`, {
    ...spec.simulatorEnv,
    SIM_TOKEN: TOKEN,
  });
  const stopSimulator = `simulator ${id}`;
  ctx.cleanup.push(stopSimulator, () => simulator.stop());
  const messageFile = join(workDir('messages'), `${id}.events`);
  const removeMessages = `message file ${id}`;
  ctx.cleanup.push(removeMessages, () => Promise.resolve(rmSync(messageFile, { force: true })));
  const pollerEnv = (topicPrefix: string): Record<string, string> => ({
    WOLKVOX_SERVER: SERVER,
    WOLKVOX_TOKEN: TOKEN,
    WOLKVOX_BASE_URL: simulator.url,
    WOLKVOX_TIMEZONE: ZONE,
    KAFKA_BROKERS: ctx.brokers.join(','),
    EMAIL_SENT_TOPIC: `${topicPrefix}.events`,
    EMAIL_DEAD_LETTER_TOPIC: `${topicPrefix}.dlq`,
    POLLER_PROGRESS_TOPIC: `${topicPrefix}.progress`,
    POLL_START_AT: spec.startAt.toISOString(),
    LOG_LEVEL: 'info',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(ctx.pollerNodeOptions ? { NODE_OPTIONS: ctx.pollerNodeOptions } : {}),
  });
  const topicsOf = (env: Record<string, string>): string[] => [
    env.EMAIL_SENT_TOPIC,
    env.EMAIL_DEAD_LETTER_TOPIC,
    env.POLLER_PROGRESS_TOPIC,
  ];
  try {
    const { raw, walls } = await seed(simulator, spec.records);
    const maxEventBytes = pollerConfig(pollerEnv('any')).kafka.eventsMaxMessageBytes;
    const operation = { server: SERVER, timeZone: ZONE };
    const expected = await writeExpectedEvents(raw, operation, maxEventBytes, messageFile);
    ctx.log(
      `${raw.length} records served, ${expected.events} events (${(expected.eventBytes / 1e6).toFixed(1)} MB), ${expected.deadLetters} dead letters`,
    );

    const measurements: Measurement[] = [];
    let last: PollerMeasurement | undefined;
    for (let run = 1; run <= ctx.runs; run++) {
      const log = (line: string) => ctx.log(`run ${run}: ${line}`);
      const stamp = `bench.${id}.${run}.${Date.now()}`;
      // The poller on each Kafka client (KAFKA_CLIENT), each on topics of its own; the default
      // client's run is the one whose windows are reported.
      for (const client of KAFKA_CLIENTS) {
        const env = { ...pollerEnv(`${stamp}.poller-${client}`), KAFKA_CLIENT: client };
        const measured = await runPoller({
          name: `${id}-${run}-${client}`,
          tool: client === 'kafkajs' ? 'poller' : 'poller-platformatic',
          env,
          simulator,
          expected,
          timeoutMs: 300_000,
        });
        await deleteTopics(ctx.admin, topicsOf(env));
        log(describe(measured));
        measurements.push(measured);
        if (client === 'kafkajs') last = measured;
      }
      measurements.push(
        ...(await measureProducers({ ...ctx, pollerEnv: pollerEnv(stamp), stamp, expected, log })),
      );
      const fetched = await runChildScript<Measurement>('fetch-parse', {
        baseUrl: simulator.url,
        token: TOKEN,
        timeZone: ZONE,
        windows: last!.windows.map(({ from, to }) => ({ from, to })),
        events: expected.events,
        eventBytes: expected.eventBytes,
      } satisfies FetchInput);
      log(describe(fetched));
      measurements.push(fetched);
    }

    const windows = last!.windows;
    const passFrom = windows[0].from;
    const passEnd = windows[windows.length - 1].to;
    const plannerReplay = REPLAYS.map(({ targetRecords, rule }) => {
      const limits = { ...WOLKVOX_LIMITS, targetRecords };
      const { calls } = replayPlanner(walls, passFrom, passEnd, { limits, rule });
      return { targetRecords, rule, calls: calls.length, cut: calls.filter((c) => c.cut).length };
    });
    let profile: ProfileSummary | undefined;
    if (ctx.profile) {
      const env = pollerEnv(`bench.${id}.profile.${Date.now()}.poller`);
      const input = { name: `${id}-profile`, env, simulator, expected, timeoutMs: 600_000 };
      profile = await profilePoller(ctx.profile, input, windows);
      await deleteTopics(ctx.admin, topicsOf(env));
    }
    const summaries = summarize(measurements);
    const pollerRuns = measurements.filter(
      (m): m is PollerMeasurement => m.tool === 'poller' || m.tool === 'poller-platformatic',
    );
    return {
      id,
      title: spec.title,
      expected: {
        events: expected.events,
        eventBytes: expected.eventBytes,
        deadLetters: expected.deadLetters,
      },
      measurements,
      summaries,
      ratios: ratios(summaries),
      pollerWindows: windows,
      fewestCalls: fewestCalls(walls.all, passFrom, passEnd),
      plannerReplay,
      pollerMemory: {
        peakHeapUsedMb: Math.max(...pollerRuns.map((m) => m.peakHeapUsedBytes)) / 1e6,
        peakExternalMb: Math.max(...pollerRuns.map((m) => m.peakExternalBytes)) / 1e6,
      },
      loadAverage: { before, after: loadavg() },
      profile,
    };
  } finally {
    rmSync(messageFile, { force: true });
    ctx.cleanup.remove(removeMessages);
    ctx.cleanup.remove(stopSimulator);
    await simulator.stop();
  }
}

/** Appends the bench's own records, or reads the ones the simulator generated; with their dates. */
async function seed(
  simulator: SimulatorProcess,
  records: readonly EmailRecord[] | undefined,
): Promise<{ raw: readonly unknown[]; walls: RecordWalls }> {
  if (records) {
    await simulator.append(records);
    const all = records.map((r) => parseWallTime(r.date)!);
    return { raw: records, walls: { all, valid: all } };
  }
  // The truth comes in date order, as the API's index keeps it.
  const truth = await simulator.truth();
  return {
    raw: truth.map((entry) => entry.record),
    walls: {
      all: truth.map((entry) => parseWallTime(entry.indexDate)!),
      valid: truth.filter((entry) => entry.valid).map((entry) => parseWallTime(entry.indexDate)!),
    },
  };
}
