import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBrokerPort, freePort } from '../scripts/free-port.js';

/*
 * A new user's first hour with `npm run demo`: the README's CLI commands, pasted in another
 * terminal, work against it as written; and `npm run demo 2>&1 | tee demo.log`, then Ctrl-C
 * (the terminal's SIGINT ends tee too, so the demo's exit trap writes to a pipe nobody reads)
 * still stops everything it started: the broker, the simulator, the poller and the follower.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Alive and not a zombie (a zombie has ended; only its exit status waits to be collected). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every process below `pid` now, found from each process's parent in /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while listed
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length) {
    frontier = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([p]) => p);
    found.push(...frontier);
  }
  return found;
}

/** The demo's record of what it started: `name pid` a line. */
function recordedPids(dir: string): Map<string, number> {
  const file = join(dir, 'pids');
  if (!existsSync(file)) return new Map();
  return new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string])
      .map(([name, pid]) => [name, Number(pid)]),
  );
}

function waitFor(what: () => string, check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`${what()}: not within ${timeoutMs} ms`));
      }
    }, 200);
  });
}

/** `npm run demo`'s script in a process group of its own (as a shell's job), on free ports. */
async function startDemo(dir: string, env: NodeJS.ProcessEnv, extra: Record<string, string> = {}) {
  return spawn('bash', [join(root, 'scripts', 'demo.sh')], {
    cwd: root,
    env: {
      ...env,
      DEMO_MODE: 'local',
      DEMO_DIR: dir,
      DEMO_KAFKA_PORT: String(await freeBrokerPort()),
      DEMO_SIM_PORT: String(await freePort()),
      DEMO_HTTP_PORT: String(await freePort()),
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a SIGINT to the group is the terminal's Ctrl-C.
    detached: true,
  });
}

describe('npm run demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  let demo: ChildProcess | undefined;
  let started: number[] = [];

  afterAll(() => {
    // A failing test leaves nothing behind either.
    for (const pid of new Set([...started, ...recordedPids(dir).values()]))
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (demo?.pid && alive(demo.pid)) process.kill(-demo.pid, 'SIGKILL');
  });

  let out = '';
  let err = '';
  let exited: Promise<number | null>;
  /** The environment of a new terminal: nothing of the product's variables. */
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(KAFKA|DEMO|WOLKVOX|POLL)_/.test(name)),
  );

  beforeAll(async () => {
    demo = await startDemo(dir, env);
    exited = new Promise<number | null>((resolve) => demo!.once('exit', resolve));
    demo.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));

    // Running: events scroll by (a table row: partition:offset, then the local send time).
    await waitFor(
      () => `the first event on the demo's screen\n${err}`,
      () => /^\d+:\d+\s+\d{4}-\d\d-\d\d /m.test(out),
      // The broker's start takes 4 s on an idle machine, 45 s on a busy one.
      240_000,
    );
  }, 300_000);

  it.each([
    [['checkpoint'], /^cursor\s+\d{4}-/m],
    [['budget'], /^a day needs\s+about \d+ calls/m],
    [['reconcile'], /^lastPass: none yet$/m],
    [
      [
        'plan',
        '--from',
        new Date(Date.now() - 3_600_000).toISOString(),
        '--to',
        new Date().toISOString(),
      ],
      /^calls\s+about \d+/m,
    ],
  ])('npm run cli -- %j works against it as the README shows, exit 0', (args, expected) => {
    const run = spawnSync('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: root,
      env: { ...env, DEMO_DIR: dir },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toContain(`using the running demo's settings (${dir}/cli.env)`);
    expect(run.stdout).toMatch(expected);
    expect(run.status).toBe(0);
  });

  it('stops the broker, the simulator, the poller, the subscriber and the follower on Ctrl-C under a dead pipe', async () => {
    const running = demo!;
    const recorded = recordedPids(dir);
    expect([...recorded.keys()].sort()).toEqual([
      'broker',
      'follower',
      'poller',
      'simulator',
      'subscriber',
      'subscriber-log-reader',
    ]);
    started = [...new Set([...recorded.values(), ...descendants(running.pid!)])];
    expect(started.every(alive)).toBe(true);

    // The reader goes away (tee ended by the same Ctrl-C), then the demo gets the SIGINT.
    running.stdout!.destroy();
    running.stderr!.destroy();
    process.kill(-running.pid!, 'SIGINT');

    await exited;
    const left = started.filter(alive);
    expect(
      left.map((pid) => spawnSync('ps', ['-o', 'args=', '-p', String(pid)]).stdout.toString()),
    ).toEqual([]);
    // The poller was stopped in order (SIGTERM: its cycle finishes), not left to be killed.
    expect(readFileSync(join(dir, 'poller.log'), 'utf8')).toContain('"msg":"shutting down"');
    // A fresh broker's "The coordinator is loading" and the like, which kafkajs retries, are not
    // errors: an error line in a demo that ran fine would mean nothing.
    for (const log of ['poller.log', 'follow.log']) {
      const errors = readFileSync(join(dir, log), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"level":"error"'));
      expect(errors).toEqual([]);
    }
    // The CLI no longer finds settings of a demo that is gone.
    expect(existsSync(join(dir, 'cli.env'))).toBe(false);
  }, 120_000);
});

describe('npm run demo with DEMO_FLEET=1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-fleet-'));
  let demo: ChildProcess | undefined;
  let out = '';
  let err = '';
  let exited: Promise<number | null>;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(KAFKA|DEMO|WOLKVOX|POLL)_/.test(name)),
  );

  afterAll(() => {
    for (const pid of recordedPids(dir).values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (demo?.pid && alive(demo.pid)) process.kill(-demo.pid, 'SIGKILL');
  });

  beforeAll(async () => {
    // Three simulators and two replicas, on consecutive ports from these.
    demo = await startDemo(dir, env, { DEMO_FLEET: '1' });
    exited = new Promise<number | null>((resolve) => demo!.once('exit', resolve));
    demo.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  }, 60_000);

  it('shows the events of three operations, run by two replicas, in one table', async () => {
    // A row: partition:offset, the local send time, the occurrence, then the operation.
    const shown = () =>
      new Set(
        [...out.matchAll(/^\d+:\d+\s+\d{4}-\d\d-\d\d \S+\s+\d+\s+(\d{4})\s/gm)].map((m) => m[1]),
      );
    await waitFor(
      () =>
        `events of 0010, 0020 and 0030 on the demo's screen (seen: ${[...shown()].join(', ')})\n${err}`,
      () => shown().size === 3,
      240_000,
    );
    expect([...shown()].sort()).toEqual(['0010', '0020', '0030']);
    // Each replica said what it runs: together, the three operations once.
    const runs = [...err.matchAll(/replica \d: health \S+, runs operations (.*)$/gm)].map(
      (m) => m[1],
    );
    expect(runs).toHaveLength(2);
    const listed = spawnSync('npm', ['run', '--silent', 'cli', '--', 'operations'], {
      cwd: root,
      env: { ...env, DEMO_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(listed.status).toBe(0);
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['0010', '0020', '0030']);
  }, 300_000);

  it('stops the replicas, the simulators and the rest on Ctrl-C', async () => {
    const recorded = recordedPids(dir);
    expect([...recorded.keys()].filter((name) => name.startsWith('poller-')).sort()).toEqual([
      'poller-1',
      'poller-2',
    ]);
    expect([...recorded.keys()].filter((name) => name.startsWith('simulator-')).sort()).toEqual([
      'simulator-0010',
      'simulator-0020',
      'simulator-0030',
    ]);
    const started = [...new Set([...recorded.values(), ...descendants(demo!.pid!)])];
    process.kill(-demo!.pid!, 'SIGINT');
    await exited;
    expect(started.filter(alive)).toEqual([]);
    for (const replica of ['poller-1', 'poller-2'])
      expect(readFileSync(join(dir, `${replica}.log`), 'utf8')).toContain('"msg":"shutting down"');
  }, 120_000);
});
