/**
 * Baseline: the HTTP fetch and parse alone. WolkvoxClient.fetchWindow, configured as the poller
 * configures it, reads the windows the poller read, in order, against the same simulator; each
 * window's records are held until the next is read, as the poller holds them until published.
 * Started by run.ts as `node dist/bench/fetch-parse.js`.
 */
import { DailyRequestBudget, WolkvoxClient } from '@app/wolkvox-client';
import { childInput, reportAndExit } from './child-script.js';
import type { Measurement } from './measurement.js';
import { selfUsage } from './process-stats.js';

export interface FetchInput {
  baseUrl: string;
  token: string;
  timeZone: string;
  windows: Array<{ from: number; to: number }>;
  /** The workload's events, for records/s comparable with the other tools. */
  events: number;
  eventBytes: number;
}

async function main(): Promise<void> {
  const input = childInput<FetchInput>();
  const client = new WolkvoxClient({
    server: 'bench',
    token: input.token,
    baseUrl: input.baseUrl,
    timeZone: input.timeZone,
    maxConcurrency: 1,
    retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 },
    budget: new DailyRequestBudget({ timeZone: input.timeZone }),
  });
  const before = selfUsage();
  const started = performance.now();
  let calls = 0;
  let held = 0;
  for (const window of input.windows) {
    // The previous window's outcome is unreferenced once this one is awaited, as in the poller.
    const outcome = await client.fetchWindow(window);
    calls += outcome.calls;
    if (outcome.kind !== 'records')
      throw new Error(`window ${JSON.stringify(window)}: ${outcome.kind}`);
    held += outcome.records.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const after = selfUsage();
  await client.close();
  const result: Measurement = {
    tool: 'fetch-parse',
    records: input.events,
    bytes: input.eventBytes,
    seconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
    apiCalls: calls,
  };
  if (held === 0) throw new Error('no record was read');
  reportAndExit(result);
}

await main();
