import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { CallLogEntry } from '../apps/simulator/src/call-log.js';
import type { TruthEntry } from '../apps/simulator/src/record-store.js';
import { freePort } from '../scripts/free-port.js';
import { SIMULATOR_MAIN, workDir } from './paths.js';
import { stopProcess, tracked } from './stop-process.js';

export type { CallLogEntry, TruthEntry };

/** POST bodies of about this many records (some 20 MB): express parses each body whole. */
const APPEND_CHUNK = 4_000;

/**
 * The Wolkvox simulator in a process of its own (apps/simulator/README.md), so that serving
 * 256 MB responses costs the poller nothing but the socket, and the poller's RSS is its own.
 */
export class SimulatorProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(name: string, env: Record<string, string>): Promise<SimulatorProcess> {
    const port = await freePort();
    const log = openSync(join(workDir('logs'), `simulator-${name}.log`), 'w');
    const child = tracked(
      spawn(process.execPath, [SIMULATOR_MAIN], {
        env: { ...process.env, SIM_HOST: '127.0.0.1', SIM_PORT: String(port), ...env },
        stdio: ['ignore', log, log],
      }),
    );
    const simulator = new SimulatorProcess(`http://127.0.0.1:${port}`, child);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the simulator exited with ${child.exitCode} (see .cache/bench/logs)`);
      try {
        await simulator.status();
        return simulator;
      } catch {
        if (Date.now() > deadline) throw new Error('the simulator did not answer within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Appends records exactly as the API should send them, visible at once. */
  async append(records: readonly object[]): Promise<void> {
    for (let i = 0; i < records.length; i += APPEND_CHUNK) {
      const chunk = records.slice(i, i + APPEND_CHUNK).map((record) => ({ record }));
      await this.post('/control/records', { records: chunk });
    }
  }

  /** Live traffic: `perSecond` new emails each second, visible at once (0 stops it). */
  live(perSecond: number): Promise<void> {
    return this.post('/control/live', { perSecond });
  }

  status(): Promise<{ records: number; calls: number }> {
    return this.get('/control/status');
  }

  calls(): Promise<CallLogEntry[]> {
    return this.get('/control/calls');
  }

  truth(): Promise<TruthEntry[]> {
    return this.get('/control/truth');
  }

  async stop(): Promise<void> {
    await stopProcess(this.child, 10_000);
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
}
