import { readFileSync } from 'node:fs';
import { loadConfig, type ConfigResult, type PollerConfig } from './poller-config.js';
import type { ReadFile } from './rotating-secret.js';

/**
 * A fleet's operations, from the file POLLER_OPERATIONS_FILE names: one entry per Wolkvox
 * operation, each written with the names of the variables that configure one operation, e.g.
 *
 *   { "operations": [
 *       { "WOLKVOX_SERVER": "0010", "WOLKVOX_TOKEN_FILE": "/run/secrets/wolkvox-0010/token",
 *         "WOLKVOX_TIMEZONE": "America/Bogota", "WOLKVOX_DAILY_QUOTA": 5000,
 *         "POLL_START_AT": "2026-11-01T00:00:00-05:00" } ] }
 *
 * so that an entry is validated by exactly the rules (and says exactly the messages) of the
 * variables it stands for. What the environment sets is the default of every entry (a fleet
 * in one zone sets WOLKVOX_TIMEZONE once); the server and the token belong to an entry alone.
 * Without the file, the variables describe a fleet of one, as before.
 */
export const OPERATIONS_FILE_VARIABLE = 'POLLER_OPERATIONS_FILE';

/** The variables an entry may set: those that differ from one operation to the next. */
export const PER_OPERATION_VARIABLES: ReadonlySet<string> = new Set([
  'WOLKVOX_SERVER',
  'WOLKVOX_TOKEN_FILE',
  'WOLKVOX_BASE_URL',
  'WOLKVOX_TIMEZONE',
  'WOLKVOX_MAX_CONCURRENCY',
  'WOLKVOX_DAILY_QUOTA',
  'WOLKVOX_MAX_RECORDS',
  'WOLKVOX_CALL_TIMEOUT_SECONDS',
  'WOLKVOX_ABANDONED_CALL_SECONDS',
  'POLL_START_AT',
  'POLL_INTERVAL_SECONDS',
  'POLL_LOOKBACK_SECONDS',
  'POLL_SETTLE_SECONDS',
  'POLL_LEASE_SECONDS',
  'POLL_RECONCILE_DAYS',
  'POLL_RECONCILE_AT',
]);

/** Set per entry only: a value in the environment would make every operation the same one. */
const ENTRY_ONLY = ['WOLKVOX_SERVER', 'WOLKVOX_TOKEN', 'WOLKVOX_TOKEN_FILE'] as const;

export type FleetResult =
  | {
      ok: true;
      /** One configuration per operation, in the file's order; the process's parts are shared. */
      operations: PollerConfig[];
      /** From the file: shared with the other replicas through the fleet's group. */
      shared: boolean;
      warnings: string[];
      /** The settings in effect, one line per operation. */
      settings: string[];
    }
  | { ok: false; problems: string[] };

/**
 * The fleet the environment describes: the operations file's entries when
 * POLLER_OPERATIONS_FILE is set, otherwise the one operation of the variables. Every problem is
 * one line naming the entry (`operations[2] (0030)`) and the setting; nothing starts on any.
 */
export function loadFleet(
  env: NodeJS.ProcessEnv,
  readFile: ReadFile = (p) => readFileSync(p, 'utf8'),
): FleetResult {
  const path = env[OPERATIONS_FILE_VARIABLE]?.trim();
  const { [OPERATIONS_FILE_VARIABLE]: _file, ...shared } = env;
  if (!path) return fleetOfOne(loadConfig(shared, readFile));

  const problems: string[] = ENTRY_ONLY.filter((name) => shared[name]).map(
    (name) => `${name}: set per operation in ${OPERATIONS_FILE_VARIABLE}, not in the environment`,
  );
  const entries = readEntries(path, readFile);
  if (!entries.ok) return { ok: false, problems: [...problems, entries.problem] };

  const operations: PollerConfig[] = [];
  // A problem of a shared variable would otherwise be said once per entry.
  const sharedProblems = new Set<string>();
  const warnings: string[] = [];
  const settings: string[] = [];
  const firstAt = new Map<string, string>();
  entries.entries.forEach((entry, index) => {
    const server = typeof entry.WOLKVOX_SERVER === 'string' ? entry.WOLKVOX_SERVER.trim() : '';
    const name = `operations[${index}]${server ? ` (${server})` : ''}`;
    const say = (problem: string) =>
      problems.push(`${OPERATIONS_FILE_VARIABLE}: ${name}: ${problem}`);
    const values = entryValues(entry, say);
    if (!values) return;
    if (server) {
      const first = firstAt.get(server);
      if (first) say(`WOLKVOX_SERVER ${server} is listed twice (first at ${first})`);
      else firstAt.set(server, `operations[${index}]`);
    }
    const result = loadConfig({ ...stripEntryOnly(shared), ...values }, readFile);
    if (!result.ok) {
      for (const problem of result.problems) {
        const variable = problem.split(':', 1)[0];
        const own = variable in values || (ENTRY_ONLY as readonly string[]).includes(variable);
        if (own) say(problem);
        else sharedProblems.add(problem);
      }
      return;
    }
    operations.push(result.config);
    warnings.push(...result.warnings);
    settings.push(`${name}: ${result.settings}`);
  });
  if (entries.entries.length === 0)
    problems.push(`${OPERATIONS_FILE_VARIABLE}: lists no operation`);
  problems.push(...sharedProblems);
  if (problems.length) return { ok: false, problems };
  return { ok: true, operations, shared: true, warnings: [...new Set(warnings)], settings };
}

function fleetOfOne(result: ConfigResult): FleetResult {
  if (!result.ok) return result;
  return {
    ok: true,
    operations: [result.config],
    shared: false,
    warnings: result.warnings,
    settings: [result.settings],
  };
}

function stripEntryOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of ENTRY_ONLY) delete rest[name];
  return rest;
}

function readEntries(
  path: string,
  readFile: ReadFile,
): { ok: true; entries: Array<Record<string, unknown>> } | { ok: false; problem: string } {
  const fail = (why: string) => ({
    ok: false as const,
    problem: `${OPERATIONS_FILE_VARIABLE}: ${path} ${why}`,
  });
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${(error as Error).message})`);
  }
  const list = (parsed as { operations?: unknown } | null)?.operations;
  if (!Array.isArray(list)) return fail('must be a JSON object with an "operations" array');
  if (list.some((entry) => typeof entry !== 'object' || entry === null || Array.isArray(entry)))
    return fail('must hold one JSON object per operation in "operations"');
  return { ok: true, entries: list as Array<Record<string, unknown>> };
}

/**
 * An entry's values as the variables would hold them (text), or undefined after saying what is
 * wrong: a name that is not a per-operation setting, or a value that is not text or a number.
 */
function entryValues(
  entry: Record<string, unknown>,
  say: (problem: string) => void,
): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  let ok = true;
  for (const [name, value] of Object.entries(entry)) {
    if (!PER_OPERATION_VARIABLES.has(name)) {
      say(
        `${name}: is not a setting of one operation (${[...PER_OPERATION_VARIABLES].join(', ')})`,
      );
      ok = false;
    } else if (typeof value === 'string' || typeof value === 'number') {
      values[name] = String(value);
    } else {
      say(`${name}: must be text or a number`);
      ok = false;
    }
  }
  return ok ? values : undefined;
}
