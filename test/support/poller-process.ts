import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/free-port.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The BUILT poller and CLI (`npm run build`; `npm run test:e2e` builds first). */
export const POLLER_MAIN = join(root, 'dist', 'apps', 'poller', 'src', 'main.js');
export const CLI_MAIN = join(root, 'dist', 'apps', 'poller', 'src', 'cli', 'main.js');

/** All processes started here, so that a failing test leaves none behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

/**
 * The built poller as a real process: its own environment (nothing inherited but PATH, so a
 * test says exactly what is configured), stdout and stderr captured, HTTP on a port of its own.
 */
export class PollerProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.err += chunk));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /**
   * Starts the poller with `env` (HTTP_PORT is chosen here unless given), with this test's
   * node unless `options.node` names another binary.
   */
  static async start(
    env: Record<string, string>,
    options: { node?: string } = {},
  ): Promise<PollerProcess> {
    if (!existsSync(POLLER_MAIN)) throw new Error(`${POLLER_MAIN} is missing: run npm run build`);
    const port = env.HTTP_PORT ? Number(env.HTTP_PORT) : await freePort();
    const child = spawn(options.node ?? process.execPath, [POLLER_MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env, HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    return new PollerProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** stdout as the JSON log lines it must consist of (a line that is not JSON fails). */
  logLines(): Array<Record<string, unknown>> {
    return this.out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`poller wrote a line that is not JSON: ${line}`);
        }
      });
  }

  async get<T = unknown>(path: string): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    let body: unknown = text;
    if (response.headers.get('content-type')?.includes('json')) body = JSON.parse(text);
    return { status: response.status, body: body as T };
  }

  /** Resolves once /health/live answers 200; fails at once if the process exits. */
  async waitForLive(timeoutMs = 60_000): Promise<void> {
    await this.waitFor(
      async () => (await this.get('/health/live').catch(() => undefined))?.status === 200,
      timeoutMs,
      '/health/live',
    );
  }

  /** Polls `check` every 250 ms until it holds, the process exits, or time runs out. */
  async waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit)
        throw new Error(
          `the poller exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n${this.tail()}`,
        );
      if (await check()) return;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Resolves once the events-published counter on /metrics reaches `count`. */
  async waitForPublished(count: number, timeoutMs: number): Promise<void> {
    await this.waitFor(
      async () => {
        const metrics = (await this.get<string>('/metrics')).body;
        const published =
          /^wolkvox_poller_events_published_total\{operation="[^"]+"\} (\d+)$/m.exec(metrics);
        return Number(published?.[1] ?? 0) === count;
      },
      timeoutMs,
      `${count} events published`,
    );
  }

  /**
   * Waits until GET /health/ready answers `status` (and, when given, a body `until` accepts);
   * returns that answer.
   */
  async waitForReady<T = ReadyBody>(
    status: 200 | 503,
    timeoutMs = 120_000,
    until: (body: T) => boolean = () => true,
  ): Promise<HttpAnswer<T>> {
    let answer: HttpAnswer<T> | undefined;
    await this.waitFor(
      async () => {
        answer = await this.get<T>('/health/ready').catch(() => undefined);
        return answer?.status === status && until(answer.body);
      },
      timeoutMs,
      `/health/ready to answer ${status}`,
    );
    return answer!;
  }

  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    const all = `${this.out}${this.err}`.split('\n');
    return all.slice(-lines).join('\n');
  }
}

/** The body of /health/ready (terminus). */
export interface ReadyBody {
  status: string;
  info?: Record<string, { status: string; message?: string } & Record<string, unknown>>;
  error?: Record<string, { status: string; message?: string } & Record<string, unknown>>;
  details: Record<string, { status: string; message?: string } & Record<string, unknown>>;
}

export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point (the poller or the CLI) to its end with `env` and `args`. */
export function runToExit(
  entry: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${entry} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`),
      );
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}
