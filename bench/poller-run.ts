import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQueryTime, type WallSeconds } from '@app/contracts';
import type { ExpectedOutput } from './encoded-events.js';
import { freePort } from '../scripts/free-port.js';
import type { Measurement, Tool } from './measurement.js';
import { POLLER_MAIN, workDir } from './paths.js';
import { ProcessSampler, snapshot } from './process-stats.js';
import type { CallLogEntry, SimulatorProcess } from './simulator-process.js';
import { stopProcess, tracked } from './stop-process.js';

export interface PollerRunInput {
  /** Names the log file. */
  name: string;
  /** The poller's environment, less HTTP_PORT. */
  env: Record<string, string>;
  simulator: SimulatorProcess;
  expected: ExpectedOutput;
  /** Extra node flags (a profiler's --import). */
  nodeArgs?: string[];
  /** Runs once every event is committed, before the poller is stopped (to collect a profile). */
  beforeStop?: (pid: number) => Promise<void>;
  timeoutMs: number;
  /** The tool's name in the results: the poller's on its default client unless told. */
  tool?: Extract<Tool, 'poller' | 'poller-platformatic'>;
}

export interface PollerMeasurement extends Measurement {
  /** The windows the poller asked for, in order, up to the moment every event was acked. */
  windows: Array<{ from: WallSeconds; to: WallSeconds; returned: number }>;
  /** Peaks of the heap and of external memory (Buffers) seen at the /metrics scrapes. */
  peakHeapUsedBytes: number;
  peakExternalBytes: number;
  /** The measured span, ms since the epoch: first API call to every event committed. */
  span: { from: number; to: number };
}

/** How often /metrics is scraped to see the last event committed. */
const SCRAPE_MS = 100;

/**
 * Runs the real poller (`node dist/apps/poller/src/main.js`) until it has committed every
 * expected event, and measures it from outside: the span runs from the first API call (the
 * simulator's log) to the commit that brought the published events to the expected count (the
 * poller's log line of that cycle, looked up once a scrape of /metrics shows every event and
 * dead letter committed); CPU is the process's /proc counters over that span, peak RSS its
 * VmHWM.
 */
export async function runPoller(input: PollerRunInput): Promise<PollerMeasurement> {
  const { simulator, expected } = input;
  const callsBefore = (await simulator.calls()).length;
  const port = await freePort();
  const logFile = join(workDir('logs'), `poller-${input.name}.log`);
  const log = openSync(logFile, 'w');
  const child = tracked(
    spawn(process.execPath, [...(input.nodeArgs ?? []), POLLER_MAIN], {
      env: { ...process.env, ...input.env, HTTP_PORT: String(port) },
      stdio: ['ignore', log, log],
    }),
  );
  const sampler = new ProcessSampler(child.pid!, 50);
  const peaks = { heapUsed: 0, external: 0 };
  let endedAt: number | undefined;
  try {
    const deadline = Date.now() + input.timeoutMs;
    while (endedAt === undefined) {
      if (child.exitCode !== null)
        throw new Error(`the poller exited with ${child.exitCode}: see .cache/bench/logs`);
      if (Date.now() > deadline)
        throw new Error(`the poller did not publish every event within ${input.timeoutMs} ms`);
      await sleep(SCRAPE_MS);
      const metrics = await scrape(port);
      if (!metrics) continue;
      peaks.heapUsed = Math.max(peaks.heapUsed, metrics.nodejs_heap_size_used_bytes ?? 0);
      peaks.external = Math.max(peaks.external, metrics.nodejs_external_memory_bytes ?? 0);
      const events = metrics.wolkvox_poller_events_published_total ?? 0;
      const deadLetters = metrics.wolkvox_poller_dead_letters_total ?? 0;
      if (events > expected.events)
        throw new Error(`the poller published ${events} events, ${expected.events} expected`);
      if (events === expected.events && deadLetters >= expected.deadLetters) endedAt = Date.now();
    }
    const end = sampler.take() ?? sampler.last!;
    // The scrape sees the last commit up to SCRAPE_MS late; the poller's log says when it was.
    endedAt = lastCommitLoggedAt(logFile, expected.events) ?? endedAt;
    const calls = (await simulator.calls())
      .slice(callsBefore)
      .filter((call) => Date.parse(call.receivedAt) <= endedAt!);
    if (calls.length === 0) throw new Error('the poller made no API call');
    const firstCallAt = Date.parse(calls[0].receivedAt);
    const start = sampler.at(firstCallAt)!;
    const peakRssBytes = (snapshot(child.pid!) ?? end).peakRssBytes;
    await input.beforeStop?.(child.pid!);
    return {
      tool: input.tool ?? 'poller',
      records: expected.events,
      bytes: expected.eventBytes,
      seconds: (endedAt - firstCallAt) / 1000,
      cpuSeconds: end.cpuSeconds - start.cpuSeconds,
      peakRssBytes,
      apiCalls: calls.length,
      windows: calls.map(windowOf),
      peakHeapUsedBytes: peaks.heapUsed,
      peakExternalBytes: peaks.external,
      span: { from: firstCallAt, to: endedAt },
    };
  } finally {
    sampler.stop();
    await stopProcess(child, 40_000);
  }
}

/**
 * When the poller logged the cycle that brought its published events to `events` (its
 * "published window" lines carry the cycle's figures as JSON); undefined if no line says so.
 */
function lastCommitLoggedAt(logFile: string, events: number): number | undefined {
  let published = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('published window')) continue;
    try {
      const entry = JSON.parse(line) as { time?: string; msg?: string };
      const figures = /"events":(\d+)/.exec(entry.msg ?? '');
      if (!figures || !entry.time) continue;
      published += Number(figures[1]);
      if (published >= events) return Date.parse(entry.time);
    } catch {
      // Not a JSON log line (a stack trace, kafkajs's own output).
    }
  }
  return undefined;
}

function windowOf(call: CallLogEntry): { from: WallSeconds; to: WallSeconds; returned: number } {
  return {
    from: parseQueryTime(call.dateIni ?? '')!,
    to: parseQueryTime(call.dateEnd ?? '')!,
    returned: call.returned ?? 0,
  };
}

/** The unlabelled samples of the poller's /metrics; undefined while it does not answer. */
async function scrape(port: number): Promise<Record<string, number> | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) return undefined;
    const values: Record<string, number> = {};
    for (const line of (await response.text()).split('\n')) {
      // Series without labels, or with only the poller's `operation` (one operation here).
      const match = /^([a-z_]+)(?:\{operation="[^"]*"\})? ([0-9.e+-]+)$/.exec(line);
      if (match) values[match[1]] = Number(match[2]);
    }
    return values;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
