/**
 * `npm run bench`: how fast and how lean the poller is on three workloads, against a bare
 * kafkajs producer, kcat (librdkafka) and the HTTP fetch and parse alone, all in one run on the
 * same machine and the same events. See BENCHMARKS.md for what is measured and how.
 *
 *   npm run build && node dist/bench/run.js
 *   BENCH_RUNS=5 BENCH_WORKLOADS=a,c BENCH_PROFILE=cpu node dist/bench/run.js
 *
 * A dedicated Kafka broker is started (and stopped, also on failure or Ctrl-C) unless
 * KAFKA_BROKERS names one. The simulator and the poller run as processes of their own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchOptions } from './bench-options.js';
import { CleanupStack } from './cleanup-stack.js';
import { startBenchKafkaWithAdmin } from './kafka-broker.js';
import { ensureKcat } from './kcat.js';
import { machineInfo } from './machine-info.js';
import { workDir } from './paths.js';
import { report } from './report.js';
import { benchWorkload, type WorkloadResult } from './workload-bench.js';

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<void> {
  const options = benchOptions(process.env);
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    await ensureKcat(log);
    const machine = await machineInfo();
    if (machine.loadAverage[0] > 0.5 * machine.nproc)
      log(
        `load average ${machine.loadAverage[0].toFixed(2)} on ${machine.nproc} CPUs: figures will be noisy`,
      );
    log(process.env.KAFKA_BROKERS ? 'using KAFKA_BROKERS' : 'starting a dedicated Kafka broker');
    const { kafka, admin } = await startBenchKafkaWithAdmin(process.env, cleanup);

    const results: WorkloadResult[] = [];
    for (const id of options.workloads) {
      results.push(
        await benchWorkload(id, {
          brokers: kafka.brokers,
          admin,
          runs: options.runs,
          profile: options.profile,
          pollerNodeOptions: options.pollerNodeOptions,
          cleanup,
          log,
        }),
      );
    }
    const text = report(machine, kafka.description, options.runs, results);
    const file = join(
      workDir('results'),
      `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify({ machine, kafka: kafka.description, options, results }, null, 2),
    );
    process.stdout.write(`${text}\n`);
    log(`raw measurements: ${file}`);
  } finally {
    await cleanup.run(log);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
