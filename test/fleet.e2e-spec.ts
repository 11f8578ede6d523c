/**
 * Three to four poller processes at once.
 *
 * @lane solo
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWallTime, wallTimeOf } from '@app/contracts';
import { partitionOf } from '../apps/poller/src/fleet/fleet-assignment.js';
import type { Kafka } from 'kafkajs';
import { testKafka, uniqueTopic } from './support/kafka.js';
import { CLI_MAIN, PollerProcess, runToExit, type ReadyBody } from './support/poller-process.js';
import {
  checkStreams,
  crash,
  exactlyOnce,
  isolatedEnv,
  linesOfKilled,
  note,
  pidOf,
  pollerEnv,
  TOKEN,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

/**
 * Five operations in the file the replicas start with, each with its own server code, token
 * file, simulator and start instant; a sixth is added to the file for the rolling restart.
 */
const OPERATIONS = 5;
/** The coordinator's wait for a silent replica (POLLER_FLEET_SESSION_TIMEOUT_SECONDS). */
const SESSION_SECONDS = 6;
/** A lease a dead replica leaves behind lapses after this (POLL_LEASE_SECONDS). */
const LEASE_SECONDS = 5;
/** Each operation's daily request budget, on both sides (WOLKVOX_DAILY_QUOTA, the simulator's). */
const QUOTA = 100_000;

interface FleetBody extends ReadyBody {
  details: ReadyBody['details'] & {
    fleet?: {
      status: string;
      runs: number;
      of: number;
      operations: Record<string, { status: string; checkpoint?: { cursor?: string } }>;
    };
  };
}

/**
 * docs/FLEET.md: one operations file, read by every replica; the replicas share the operations
 * through a Kafka group on a real broker. Each operation runs on exactly one replica; a replica
 * killed has its operations resumed by the others within the session timeout and the lease;
 * one stopped hands its operations over at once; one that joins takes its share; and every
 * email of every operation is published once through all of it.
 */
describe('a fleet of five operations on three replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
  const FIRST_FILE = join(dir, 'operations.json');
  const EDITED_FILE = join(dir, 'operations-edited.json');
  const shared = isolatedEnv('fleet');
  const group = uniqueTopic('fleet-group');
  const all = serversOnDistinctPartitions(shared.WOLKVOX_SERVER, OPERATIONS + 1);
  /** Dropped from the file at the rolling restart, as the sixth is added. */
  const removed = all[1];
  /** The operations the replicas run: the first file's five, then the edited file's five. */
  let servers = all.slice(0, OPERATIONS);
  let simulators: TestSimulator[] = [];
  let kafka: Kafka;
  const replicas = new Map<string, PollerProcess>();
  /** Every replica started, gone ones included: their logs are read at the end. */
  const started: PollerProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    kafka = testKafka();
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    simulators = await Promise.all(
      all.map((server) =>
        startTestSimulator({
          seed: server,
          generation: { from: end - 1800, to: end - 1, emailsPerHour: 400, lateRate: 0 },
          livePerSecond: 1,
          dailyQuota: QUOTA,
        }),
      ),
    );
    const entries = all.map((server, n) => {
      const tokenFile = join(dir, `${server}.token`);
      writeFileSync(tokenFile, `${TOKEN}\n`);
      return {
        WOLKVOX_SERVER: server,
        WOLKVOX_TOKEN_FILE: tokenFile,
        WOLKVOX_BASE_URL: simulators[n].url,
        POLL_START_AT: new Date(now.getTime() - 1900_000).toISOString(),
        WOLKVOX_DAILY_QUOTA: QUOTA,
      };
    });
    writeFileSync(FIRST_FILE, JSON.stringify({ operations: entries.slice(0, OPERATIONS) }));
    const edited = entries.filter((entry) => entry.WOLKVOX_SERVER !== removed);
    writeFileSync(EDITED_FILE, JSON.stringify({ operations: edited }));
    const { WOLKVOX_SERVER: _server, ...topics } = shared;
    const base = pollerEnv(simulators[0], topics, {
      POLLER_FLEET_GROUP: group,
      POLLER_FLEET_TOPIC: `${group}.fleet`,
      POLLER_FLEET_SESSION_TIMEOUT_SECONDS: String(SESSION_SECONDS),
      POLL_INTERVAL_SECONDS: '1',
      POLL_SETTLE_SECONDS: '1',
      POLL_LEASE_SECONDS: String(LEASE_SECONDS),
    });
    // The entries carry the server, the token and the base URL.
    const { WOLKVOX_TOKEN: _token, WOLKVOX_BASE_URL: _url, ...rest } = base;
    env = rest;
    for (const name of ['a', 'b', 'c']) await startReplica(name, FIRST_FILE);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...replicas.values()].map((replica) => replica.stop()));
    // FLEET_LOG_DIR=<dir>: every replica's output is kept there, to look into a failure.
    const keep = process.env.FLEET_LOG_DIR;
    for (const [n, replica] of keep ? started.entries() : [])
      writeFileSync(join(keep!, `replica-${n}.log`), `${replica.stdout}\n${replica.stderr}`);
    await Promise.all(simulators.map((simulator) => simulator.close()));
    await kafka?.admin().disconnect();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  async function startReplica(name: string, file: string): Promise<PollerProcess> {
    const replica = await PollerProcess.start({
      ...env,
      POLLER_OPERATIONS_FILE: file,
      POLLER_INSTANCE_ID: `replica-${name}`,
    });
    started.push(replica);
    replicas.set(name, replica);
    return replica;
  }

  interface Share {
    /** Whether the replica says it is a member of the fleet's group. */
    member: boolean;
    runs: string[];
  }

  /** What each live replica says of its membership and the operations it runs. */
  async function shares(): Promise<Map<string, Share>> {
    const answers = await Promise.all(
      [...replicas].map(async ([name, replica]) => {
        const answer = await replica.get<FleetBody>('/health/ready').catch(() => undefined);
        const fleet = answer?.body.details?.fleet;
        const share = {
          member: fleet?.status === 'up',
          runs: Object.keys(fleet?.operations ?? {}),
        };
        return [name, share] as const;
      }),
    );
    return new Map(answers);
  }

  /**
   * Resolves once the fleet is settled: every live replica a member, every operation of
   * `servers` run by exactly one of them, and the operations balanced (each on a partition of
   * its own, so no replica runs more than one above another).
   */
  async function settled(what: string, timeoutMs = 90_000): Promise<Map<string, string[]>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await shares();
      const runs = [...now.values()].map((share) => share.runs);
      const counts = runs.map((r) => r.length);
      const once = JSON.stringify(runs.flat().sort()) === JSON.stringify([...servers].sort());
      const members = [...now.values()].every((share) => share.member);
      if (members && once && Math.max(...counts) - Math.min(...counts) <= 1)
        return new Map([...now].map(([name, share]) => [name, share.runs]));
      if (Date.now() > deadline)
        throw new Error(`${what}: not settled after ${timeoutMs} ms: ${JSON.stringify([...now])}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Resolves once every live replica says it is a member of the fleet's group. */
  async function allMembers(what: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (![...(await shares()).values()].every((share) => share.member)) {
      if (Date.now() > deadline) throw new Error(`${what}: not every replica a member`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Resolves once every operation's checkpoint, on whichever replica, is past `instant`. */
  async function allPast(instant: Date, timeoutMs = 120_000): Promise<void> {
    const wall = wallTimeOf(instant, ZONE);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cursors = new Map<string, string>();
      for (const replica of replicas.values()) {
        const answer = await replica.get<FleetBody>('/health/ready').catch(() => undefined);
        for (const [server, state] of Object.entries(answer?.body.details?.fleet?.operations ?? {}))
          if (state.checkpoint?.cursor) cursors.set(server, state.checkpoint.cursor);
      }
      const behind = servers.filter((server) => {
        const cursor = cursors.get(server);
        return !cursor || (parseWallTime(cursor) ?? -Infinity) <= wall;
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`operations ${behind.join(', ')} not past ${instant.toISOString()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('runs each operation on exactly one replica, and every replica is ready', async () => {
    const share = await settled('three replicas');
    note('fleet', `shares: ${JSON.stringify(Object.fromEntries(share))}`);
    for (const replica of replicas.values()) {
      const ready = await replica.waitForReady(200, 60_000);
      expect(ready.body.details.fleet).toMatchObject({ status: 'up', of: OPERATIONS });
    }
    // Nobody idles while another carries three: five operations on three replicas are 2-2-1.
    expect([...share.values()].map((s) => s.length).sort()).toEqual([1, 2, 2]);
    await allPast(new Date());
  }, 180_000);

  it("resumes a killed replica's operations on the others within the session and the lease", async () => {
    const [victim, held] = [...(await settled('before the kill'))].find(([, s]) => s.length > 0)!;
    const replica = replicas.get(victim)!;
    const killedAt = Date.now();
    await crash(replica, await pidOf(replica));
    replicas.delete(victim);
    await settled(`after the kill of ${victim}`);
    const movedMs = Date.now() - killedAt;
    // Taken over: each moved operation publishes again on its new replica.
    await allPast(new Date());
    note(
      'fleet',
      `kill -9 of replica ${victim} (${held.length} operations): moved after ${movedMs} ms, all publishing again after ${Date.now() - killedAt} ms`,
    );
  }, 180_000);

  it('hands the operations of a stopped replica over at once', async () => {
    const [leaver, held] = [...(await settled('before the stop'))].find(([, s]) => s.length > 0)!;
    const stoppedAt = Date.now();
    const exit = await replicas.get(leaver)!.stop();
    replicas.delete(leaver);
    expect(exit.code).toBe(0);
    await settled(`after ${leaver} stopped`);
    const movedMs = Date.now() - stoppedAt;
    await allPast(new Date());
    note(
      'fleet',
      `SIGTERM of replica ${leaver} (${held.length} operations): moved after ${movedMs} ms, all publishing again after ${Date.now() - stoppedAt} ms`,
    );
  }, 180_000);

  it('takes an edited file at a rolling restart: newcomers take their share, the added operation runs, the removed one stops', async () => {
    // The operation to remove publishes what it has first: its traffic stops, its cursor passes.
    await simulators[all.indexOf(removed)].control.live(0);
    await allPast(new Date(Date.now() + 1000));
    const old = [...replicas.keys()];
    await startReplica('d', EDITED_FILE);
    // Two files at once: what runs depends on which replica decides (docs/FLEET.md), so only
    // the membership is waited for here.
    await allMembers('after d joined');
    // One by one, each replica of the first file is replaced by one that reads the edited file.
    for (const [n, name] of old.entries()) {
      const exit = await replicas.get(name)!.stop();
      replicas.delete(name);
      expect(exit.code).toBe(0);
      await startReplica(`e${n}`, EDITED_FILE);
    }
    servers = all.filter((server) => server !== removed);
    // Every operation of the edited file once, and the removed one nowhere.
    const share = await settled('after the rolling restart');
    expect([...share.values()].every((runs) => runs.length > 0)).toBe(true);
    await allPast(new Date());
  }, 240_000);

  it('has the CLI list the fleet, and speak of one operation with --operation', async () => {
    const cliEnv = { ...env, POLLER_OPERATIONS_FILE: EDITED_FILE };
    const listed = await runToExit(CLI_MAIN, ['operations', '--json'], cliEnv);
    expect(listed.code).toBe(0);
    const operations = listed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { operation: string }).operation);
    expect(operations).toEqual(servers);

    const unnamed = await runToExit(CLI_MAIN, ['checkpoint'], cliEnv);
    expect(unnamed.code).toBe(64);
    expect(unnamed.stderr).toContain(`lists ${servers.length} operations`);
    expect(unnamed.stderr).toContain('name one with --operation');

    const added = all[OPERATIONS];
    const one = await runToExit(CLI_MAIN, ['checkpoint', '--json', '--operation', added], cliEnv);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ operation: added, cursor: expect.any(String) });
  }, 120_000);

  it('published every email of every operation exactly once', async () => {
    for (const simulator of simulators) await simulator.control.live(0);
    await allPast(new Date(Date.now() + 1000));
    // One events topic and one dead-letter topic for the fleet: every operation's keys in them.
    const check = await checkStreams(
      kafka,
      shared,
      all.map((server, n) => ({ server, simulator: simulators[n] })),
    );
    note(
      'fleet',
      `${all.length} operations: ${check.total.found} emails, ${check.total.duplicates} twice, ${check.total.lost} lost`,
    );
    expect(check.total.expected).toBeGreaterThan(all.length);
    expect(check.total).toEqual(exactlyOnce(check.total.expected));

    // Never two replicas on one operation: no token was refused for simultaneous calls, no
    // budget ran out, and no replica was fenced but in a handover or a race of claims.
    const outcomes = new Set(
      simulators.flatMap((simulator) => simulator.state.calls.entries().map((c) => c.outcome)),
    );
    expect(
      [...outcomes].filter((o) => o === 'too-many-simultaneous' || o === 'quota-exceeded'),
    ).toEqual([]);
    const fences = started.flatMap((replica) =>
      logLines(replica).filter((l) => l.msg.includes('polling stopped')),
    );
    note('fleet', `fences: ${fences.length} (in handovers and races of claims)`);
    expect(unexplainedFences(started)).toEqual([]);
  }, 240_000);
});

interface LogLine {
  time: number;
  msg: string;
  operation?: string;
  context?: string;
}

/** The replica's log lines with their time; a killed replica's cut-off last line is dropped. */
function logLines(replica: PollerProcess): LogLine[] {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return linesOfKilled(replica).map((line) => ({
    time: Date.parse(String(line.time)),
    msg: text(line.msg) ?? '',
    operation: text(line.operation),
    context: text(line.context),
  }));
}

/**
 * How long after a change of shares a race of claims may still end in a fence: the loser
 * learns of it at its next commit, after its first load and window (slow on a busy machine).
 */
const RACE_MS = 60_000;

/**
 * The fences no handover explains. Fencing is the safety net of a move (docs/DESIGN.md), and a
 * replica may be fenced on an operation in two cases:
 * - it was handing the operation over, or shutting down, and the new owner's claim fenced it
 *   while it finished (its own log says it handed the operation over, or was shutting down);
 * - it lost a race of claims right after a change of shares (two replicas told of a move at
 *   different moments both found the lease free), and then took the operation again through
 *   the lease (its log says so) unless it was gone before it could.
 * A fence anywhere else would mean two replicas ran one operation in a settled fleet.
 */
function unexplainedFences(replicas: PollerProcess[]): string[] {
  const logs = replicas.map(logLines);
  const changes = logs
    .flat()
    .filter((l) => l.context === 'Fleet' && /^(runs|took) /.test(l.msg))
    .map((l) => l.time);
  return logs.flatMap((lines, n) =>
    lines.flatMap((line, i) => {
      if (!line.msg.includes('polling stopped')) return [];
      const op = line.operation ?? '?';
      const before = lines.slice(0, i);
      const after = lines.slice(i);
      const fleet = (l: LogLine, what: string) =>
        l.context === 'Fleet' && l.msg.includes(what) && l.msg.includes(op);
      if (before.some((l) => l.msg === 'shutting down')) return [];
      if (after.some((l) => fleet(l, 'handed over'))) return [];
      const race = changes.some((t) => t <= line.time && line.time - t <= RACE_MS);
      const gone = lines[lines.length - 1].time - line.time < LEASE_SECONDS * 1000;
      if (race && (after.some((l) => fleet(l, 'again')) || gone)) return [];
      return [`replica ${n}, ${op}: ${line.msg}`];
    }),
  );
}

/**
 * Server codes for the operations, each on its own partition of the fleet topic (60, the
 * default): the balance the test expects (2-2-1) is then the only balanced one.
 */
function serversOnDistinctPartitions(prefix: string, count: number): string[] {
  const servers: string[] = [];
  const taken = new Set<number>();
  for (let n = 0; servers.length < count; n++) {
    const server = `${prefix}-op${n}`;
    const partition = partitionOf(server, 60);
    if (taken.has(partition)) continue;
    taken.add(partition);
    servers.push(server);
  }
  return servers;
}
