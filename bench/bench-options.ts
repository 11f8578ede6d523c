import type { WorkloadId } from './workloads.js';

export interface BenchOptions {
  /** Measured runs per workload; figures are medians over them. */
  runs: number;
  workloads: WorkloadId[];
  /** One extra, unmeasured poller run per workload under a profiler, summarised at the end. */
  profile: 'cpu' | 'memory' | undefined;
  /** NODE_OPTIONS for the poller process alone (to weigh V8 flags such as heap sizes). */
  pollerNodeOptions: string | undefined;
}

/**
 * BENCH_RUNS (default 3), BENCH_WORKLOADS (default a,b,c), BENCH_PROFILE (cpu | memory),
 * BENCH_POLLER_NODE_OPTIONS (NODE_OPTIONS of the poller process only).
 * KAFKA_BROKERS, when set, is used instead of a dedicated broker (kafka-broker.ts).
 */
export function benchOptions(env: NodeJS.ProcessEnv): BenchOptions {
  const runs = Number(env.BENCH_RUNS ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('BENCH_RUNS must be a positive integer');
  const workloads = (env.BENCH_WORKLOADS ?? 'a,b,c').split(',').map((w) => w.trim());
  for (const w of workloads) {
    if (w !== 'a' && w !== 'b' && w !== 'c')
      throw new Error(`BENCH_WORKLOADS: unknown workload ${w}`);
  }
  const profile = env.BENCH_PROFILE || undefined;
  if (profile !== undefined && profile !== 'cpu' && profile !== 'memory')
    throw new Error('BENCH_PROFILE must be cpu or memory');
  return {
    runs,
    workloads: workloads as WorkloadId[],
    profile,
    pollerNodeOptions: env.BENCH_POLLER_NODE_OPTIONS || undefined,
  };
}
