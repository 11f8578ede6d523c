import { MB, TOOLS, type Measurement, type Tool } from './measurement.js';

export interface ToolSummary {
  tool: Tool;
  runs: number;
  records: number;
  bytes: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  cpuSeconds: number;
  apiCalls: number | undefined;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians per tool over the runs of one workload (each figure's own median). */
export function summarize(measurements: readonly Measurement[]): ToolSummary[] {
  const summaries: ToolSummary[] = [];
  for (const tool of TOOLS) {
    const runs = measurements.filter((m) => m.tool === tool);
    if (runs.length === 0) continue;
    const calls = runs.flatMap((m) => (m.apiCalls === undefined ? [] : [m.apiCalls]));
    summaries.push({
      tool,
      runs: runs.length,
      records: runs[0].records,
      bytes: runs[0].bytes,
      recordsPerSecond: median(runs.map((m) => m.records / m.seconds)),
      mbPerSecond: median(runs.map((m) => m.bytes / MB / m.seconds)),
      peakRssMb: median(runs.map((m) => m.peakRssBytes / MB)),
      cpuSeconds: median(runs.map((m) => m.cpuSeconds)),
      apiCalls: calls.length ? median(calls) : undefined,
    });
  }
  return summaries;
}

/** The poller's records/s over each baseline's (medians). */
export function ratios(summaries: readonly ToolSummary[]): Array<{ over: Tool; ratio: number }> {
  const poller = summaries.find((s) => s.tool === 'poller');
  if (!poller) return [];
  return summaries
    .filter((s) => s.tool !== 'poller' && s.tool !== 'fetch-parse')
    .map((s) => ({ over: s.tool, ratio: poller.recordsPerSecond / s.recordsPerSecond }));
}

/** A Markdown table, to read in the terminal and to paste into BENCHMARKS.md. */
export function table(summaries: readonly ToolSummary[]): string {
  const lines = [
    '| tool | records/s | MB/s | peak RSS MB | CPU s | API calls |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of summaries) {
    lines.push(
      `| ${s.tool} | ${Math.round(s.recordsPerSecond).toLocaleString('en-US')} | ${s.mbPerSecond.toFixed(1)} | ${Math.round(s.peakRssMb)} | ${s.cpuSeconds.toFixed(2)} | ${s.apiCalls ?? '-'} |`,
    );
  }
  return lines.join('\n');
}
