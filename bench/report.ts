import { MB } from './measurement.js';
import type { MachineInfo } from './machine-info.js';
import { table } from './summary.js';
import type { WorkloadResult } from './workload-bench.js';

/** The report printed at the end of a run, in Markdown, ready for BENCHMARKS.md. */
export function report(
  machine: MachineInfo,
  kafka: string,
  runs: number,
  results: readonly WorkloadResult[],
): string {
  const out: string[] = [
    `Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB; Node ${machine.node}; ${machine.java}; kcat ${machine.kcat}; Kafka ${machine.kafka}`,
    `Kafka: ${kafka}. Medians of ${runs} run(s). Load average at start: ${machine.loadAverage.map((l) => l.toFixed(2)).join(', ')}.`,
    '',
  ];
  for (const r of results) {
    out.push(`### ${r.title}`, '');
    out.push(
      `${r.expected.events.toLocaleString('en-US')} events, ${(r.expected.eventBytes / MB).toFixed(1)} MB of keys and values; ${r.expected.deadLetters} dead letters. ` +
        `Load average before/after: ${r.loadAverage.before[0].toFixed(2)} / ${r.loadAverage.after[0].toFixed(2)}.`,
      '',
    );
    out.push(table(r.summaries), '');
    out.push(
      `Poller records/s over: ${r.ratios.map(({ over, ratio }) => `${over} ${ratio.toFixed(2)}x`).join(', ')}.`,
    );
    const calls = r.pollerWindows.length;
    out.push(
      `API calls of the poller's last run: ${calls} (${r.pollerWindows.filter((w) => w.returned >= 60_000).length} cut); fewest the limits allow: ${r.fewestCalls}; ratio ${(calls / r.fewestCalls).toFixed(2)}.`,
    );
    out.push(
      `The poller's planner replayed on the ground truth (calls, of which cut): ${r.plannerReplay.map((p) => `targetRecords ${p.targetRecords.toLocaleString('en-US')}, ${p.rule} density: ${p.calls} (${p.cut})`).join('; ')}.`,
    );
    out.push(
      `Poller memory at /metrics scrapes (max over runs): heap used ${Math.round(r.pollerMemory.peakHeapUsedMb)} MB, external ${Math.round(r.pollerMemory.peakExternalMb)} MB.`,
      '',
    );
    if (r.profile?.kind === 'cpu') {
      const b = r.profile.breakdown;
      out.push(
        `CPU profile of the poller (${(b.busyMs / 1000).toFixed(2)} s busy in the span; ${r.profile.file}):`,
        '',
      );
      out.push('| where | CPU s | share |', '| --- | ---: | ---: |');
      for (const c of b.categories.slice(0, 10))
        out.push(
          `| ${c.category} | ${(c.ms / 1000).toFixed(2)} | ${(c.share * 100).toFixed(1)}% |`,
        );
      out.push(
        '',
        '| function (self time) | where | CPU s | share |',
        '| --- | --- | ---: | ---: |',
      );
      for (const f of b.functions)
        out.push(
          `| ${f.name} | ${f.category} | ${(f.ms / 1000).toFixed(2)} | ${(f.share * 100).toFixed(1)}% |`,
        );
      out.push('');
    }
    if (r.profile?.kind === 'memory') {
      out.push('Memory of one poll cycle, step by step (after a full GC):', '');
      out.push(
        '| step | ms | heap used MB | external MB | RSS MB | peak RSS so far MB |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
      );
      for (const p of r.profile.phases)
        out.push(
          `| ${p.phase} | ${p.ms} | ${Math.round(p.heapUsedMb)} | ${Math.round(p.externalMb)} | ${Math.round(p.rssMb)} | ${Math.round(p.peakRssMb)} |`,
        );
      out.push('');
    }
  }
  return out.join('\n');
}
