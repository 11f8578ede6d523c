import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runChildScript } from './child-script.js';
import { summarizeCpuProfile, type CpuBreakdown } from './cpu-profile-summary.js';
import type { CycleMemoryInput, CycleMemoryResult, PhaseMemory } from './cycle-memory.js';
import { BENCH_DIST, workDir } from './paths.js';
import { runPoller, type PollerMeasurement, type PollerRunInput } from './poller-run.js';

export type ProfileSummary =
  | {
      kind: 'cpu';
      file: string;
      /** The span summarised (ms since the epoch), to summarise the file again. */
      span: { from: number; to: number };
      breakdown: CpuBreakdown;
    }
  | { kind: 'memory'; window: { from: number; to: number }; phases: PhaseMemory[] };

/**
 * One unmeasured run under a profiler (BENCH_PROFILE), after the measured ones:
 * - cpu: the real poller with the V8 CPU profiler (cpu-profile-preload.ts), summarised over the
 *   span from the first API call to the last commit;
 * - memory: the poll cycle's steps one by one (cycle-memory.ts) on the largest window the poller
 *   read, with what each step leaves referenced.
 */
export async function profilePoller(
  kind: 'cpu' | 'memory',
  input: PollerRunInput,
  windows: PollerMeasurement['windows'],
): Promise<ProfileSummary> {
  if (kind === 'cpu') {
    const file = join(workDir('profiles'), `${input.name}-${Date.now()}.cpuprofile.json`);
    const measured = await runPoller({
      ...input,
      env: { ...input.env, BENCH_CPU_PROFILE: file },
      nodeArgs: ['--import', join(BENCH_DIST, 'cpu-profile-preload.js')],
      beforeStop: async (pid) => {
        process.kill(pid, 'SIGUSR2');
        const deadline = Date.now() + 60_000;
        while (!existsSync(file)) {
          if (Date.now() > deadline) throw new Error('the poller wrote no CPU profile within 60 s');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        // writeFileSync creates the file before it has written it all.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      },
    });
    const { span } = measured;
    return { kind, file, span, breakdown: summarizeCpuProfile(file, span.from, span.to) };
  }
  // The window that returned the most records without being cut: the cycle that holds the most.
  const largest = windows
    .filter((w) => w.returned < 60_000)
    .reduce((a, b) => (b.returned > a.returned ? b : a));
  const window = { from: largest.from, to: largest.to };
  const { phases } = await runChildScript<CycleMemoryResult>(
    'cycle-memory',
    { env: input.env, window } satisfies CycleMemoryInput,
    ['--expose-gc'],
  );
  return { kind, window, phases };
}
