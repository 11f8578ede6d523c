/**
 * What the streaming poll cycle proposed in BENCHMARKS.md would give, measured with
 * streaming-cycle-sketch.ts on workloads (a) and (b) against the bench's own broker and a
 * simulator process: time, CPU and peak RSS for the same events the poller publishes.
 *
 *   npm run build && node dist/bench/streaming-proposal.js     (BENCH_RUNS, KAFKA_BROKERS as for run.js)
 */
import { loadavg } from 'node:os';
import { wallTimeOf } from '@app/contracts';
import type { Admin } from 'kafkajs';
import { createEventsTopicLikePoller, deleteTopics } from './bench-topics.js';
import { runChildScript } from './child-script.js';
import { CleanupStack } from './cleanup-stack.js';
import { startBenchKafkaWithAdmin } from './kafka-broker.js';
import { SimulatorProcess } from './simulator-process.js';
import type { StreamingSketchInput, StreamingSketchResult } from './streaming-cycle-sketch.js';
import { median } from './summary.js';
import { workload, ZONE, type WorkloadId } from './workloads.js';

const TOKEN = 'bench-token';

const log = (line: string): void => {
  process.stderr.write(`[streaming ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** `runs` sketch runs on one workload's single window; one Markdown row of medians. */
async function measureWorkload(
  id: WorkloadId,
  runs: number,
  brokers: string[],
  admin: Admin,
  cleanup: CleanupStack,
): Promise<string> {
  const spec = workload(id, new Date());
  const records = spec.records!;
  const simulator = await SimulatorProcess.start(`streaming-${id}-${Date.now()}`, {
    ...spec.simulatorEnv,
    SIM_TOKEN: TOKEN,
  });
  cleanup.push(`simulator ${id}`, () => simulator.stop());
  try {
    await simulator.append(records);
    // The workload's hour, which the poller reads in its first window.
    const from = wallTimeOf(spec.startAt, ZONE);
    const window = { from, to: from + 3599 };
    const env = { WOLKVOX_SERVER: 'bench', WOLKVOX_TOKEN: TOKEN, KAFKA_BROKERS: brokers.join(',') };
    const measured: StreamingSketchResult[] = [];
    for (let run = 1; run <= runs; run++) {
      const topic = `streaming.${id}.${run}.${Date.now()}`;
      await createEventsTopicLikePoller(admin, env, topic);
      const result = await runChildScript<StreamingSketchResult>('streaming-cycle-sketch', {
        baseUrl: simulator.url,
        token: TOKEN,
        timeZone: ZONE,
        window,
        brokers,
        topic,
      } satisfies StreamingSketchInput);
      await deleteTopics(admin, [topic]);
      if (result.cut || result.events !== records.length)
        throw new Error(`the sketch published ${result.events} of ${records.length} events`);
      measured.push(result);
      log(
        `run ${run} (${id}): ${result.seconds.toFixed(2)} s, peak RSS ${Math.round(result.peakRssMb)} MB`,
      );
    }
    const seconds = median(measured.map((m) => m.seconds));
    return `| (${id}) | ${records.length} | ${seconds.toFixed(2)} | ${Math.round(median(measured.map((m) => m.events / m.seconds))).toLocaleString('en-US')} | ${median(measured.map((m) => m.cpuSeconds)).toFixed(2)} | ${Math.round(median(measured.map((m) => m.peakRssMb)))} |`;
  } finally {
    cleanup.remove(`simulator ${id}`);
    await simulator.stop();
  }
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const load = loadavg();
    const { kafka, admin } = await startBenchKafkaWithAdmin(process.env, cleanup);
    const rows: string[] = [];
    for (const id of ['a', 'b'] as const)
      rows.push(await measureWorkload(id, runs, kafka.brokers, admin, cleanup));
    process.stdout.write(
      [
        `Streaming poll cycle sketch, medians of ${runs} run(s); load average at start ${load.map((l) => l.toFixed(2)).join(', ')}, at end ${loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')}.`,
        '',
        '| workload | events | seconds | records/s | CPU s | peak RSS MB |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup.run(log);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
