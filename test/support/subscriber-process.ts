import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './poller-app.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The BUILT subscriber (`npm run test:e2e` builds first). */
export const SUBSCRIBER_MAIN = join(root, 'dist', 'apps', 'subscriber', 'src', 'main.js');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The built subscriber as a real process, its log (stdout and stderr) read line by line. */
export class SubscriberProcess {
  private log = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => (this.log += chunk));
    }
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      }),
    );
  }

  /** Starts it with `env` and nothing inherited but PATH; NO_COLOR keeps Nest's lines plain. */
  static start(env: Record<string, string>): SubscriberProcess {
    if (!existsSync(SUBSCRIBER_MAIN)) throw new Error(`${SUBSCRIBER_MAIN} is missing: build first`);
    const child = spawn(process.execPath, [SUBSCRIBER_MAIN], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    return new SubscriberProcess(child);
  }

  get output(): string {
    return this.log;
  }

  /** The keys of the `handled <key>` lines, in order: one per event it handled. */
  handled(): string[] {
    return [...this.log.matchAll(/\[Subscriber\] handled ([0-9a-f]{64}) /g)].map(
      (match) => match[1],
    );
  }

  /** The keys it skipped as already handled (a redelivery or a replay). */
  skipped(): string[] {
    return [...this.log.matchAll(/\[Subscriber\] already handled ([0-9a-f]{64})/g)].map(
      (match) => match[1],
    );
  }

  async waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => pattern.test(this.log), timeoutMs, `${pattern}\n${this.log.slice(-2000)}`);
  }

  async waitForHandled(count: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      () => this.handled().length >= count,
      timeoutMs,
      `${count} handled events\n${this.log.slice(-2000)}`,
    );
  }

  /** SIGKILLs every subscriber still running: a failed test must not keep jest waiting. */
  static killAll(): void {
    for (const child of running) child.kill('SIGKILL');
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
