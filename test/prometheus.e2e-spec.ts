import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../scripts/free-port.js';
import { testBrokers } from './support/kafka.js';
import { isolatedEnv } from './support/poller-app.js';
import { PollerProcess } from './support/poller-process.js';
import { exposedNames, metricNames, selectors } from './support/promql.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RULES = join(root, 'deploy', 'prometheus', 'wolkvox-poller.rules.yml');
const DASHBOARD = join(root, 'deploy', 'grafana', 'wolkvox-poller.dashboard.json');
/** The scrape job the rules name (`up{job="wolkvox-poller"}`). */
const JOB = 'wolkvox-poller';
const SCRAPE_SECONDS = 1;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface RuleInfo {
  name: string;
  query: string;
  health: string;
  lastError?: string;
  type: string;
}

/** The dashboard's queries, with Grafana's variables as a Prometheus query can take them. */
function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      expr: target.expr
        .replaceAll('$instance', '.*')
        .replaceAll('$operation', '.*')
        .replaceAll('$__rate_interval', `${10 * SCRAPE_SECONDS}s`),
    })),
  );
}

/** `prometheus` from PATH, or a failure that says how to get it (the test never skips). */
function prometheusBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(
      'the prometheus binary is not on PATH: install it (Debian package `prometheus`, as scripts/ci/tools.sh does)',
    );
  }
  return path;
}

/**
 * The operations kit against the real thing: a Prometheus server (the binary Debian ships)
 * scrapes a running poller every second and evaluates deploy/prometheus's rules; every query of
 * the Grafana dashboard and every alert expression goes through its HTTP API. Each must name
 * only metrics the poller exposes, each selector must find series, each panel must return data,
 * each rule must evaluate without error, and on a healthy poller no alert may hold.
 */
describe('Prometheus: the dashboard and the alert rules against a running poller', () => {
  let simulator: TestSimulator;
  let poller: PollerProcess;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let api: string;
  let workDir: string;
  let exposed: Set<string>;

  async function query(expr: string): Promise<Sample[]> {
    const url = `${api}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const answer = (await (await fetch(url)).json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Sample[] };
    };
    if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error}`);
    return answer.data!.result;
  }

  async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusLog}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prometheusLog}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    const binary = prometheusBinary();
    const now = Math.floor(Date.now() / 1000);
    simulator = await startTestSimulator({
      seed: 'prometheus',
      generation: { from: now - 2 * 3600, to: now, emailsPerHour: 240, invalidRate: 0.05 },
    });
    await simulator.control.live(2);
    poller = await PollerProcess.start({
      ...isolatedEnv('prometheus'),
      WOLKVOX_TOKEN: 'dev-token',
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_DAILY_QUOTA: '1000',
      KAFKA_BROKERS: testBrokers().join(','),
      POLL_START_AT: new Date((now - 2 * 3600) * 1000).toISOString(),
      POLL_INTERVAL_SECONDS: '2',
      POLL_SETTLE_SECONDS: '0',
    });
    await poller.waitForReady(200);

    workDir = mkdtempSync(join(tmpdir(), 'prometheus-e2e-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(workDir, 'prometheus.yml'),
      [
        'global:',
        `  scrape_interval: ${SCRAPE_SECONDS}s`,
        `  evaluation_interval: ${SCRAPE_SECONDS}s`,
        'rule_files:',
        `  - ${JSON.stringify(RULES)}`,
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${poller.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      binary,
      [
        `--config.file=${join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.setEncoding('utf8').on('data', (chunk: string) => (prometheusLog += chunk));
    prometheus.stderr!.setEncoding('utf8').on('data', (chunk: string) => (prometheusLog += chunk));
    await until(async () => (await fetch(`${api}/-/ready`)).ok, 'prometheus to be ready');
    // The first pass has reached the present (no catch-up lag left for the alerts to see), and
    // enough scrapes were taken for every rate window of the dashboard (10 s).
    await until(
      async () => (await query('wolkvox_poller_cycles_total{outcome="caught-up"}')).length > 0,
      'the first pass to reach the present',
      60_000,
    );
    await until(
      async () =>
        Number((await query('count_over_time(wolkvox_poller_ready[15s])'))[0]?.value[1]) >= 11,
      'eleven scrapes of the poller',
    );
    exposed = exposedNames((await poller.get<string>('/metrics')).body);
    // Room for each wait above to run to its own limit on a loaded machine; a quick one passes
    // in well under a minute.
  }, 300_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) {
      await new Promise((resolve) => prometheus!.once('exit', resolve));
    }
    await poller?.stop();
    await simulator?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('scrapes the poller under the job name the rules use', async () => {
    expect(await query(`up{job="${JOB}"}`)).toEqual([
      expect.objectContaining({ value: [expect.any(Number), '1'] }),
    ]);
    expect(await query('wolkvox_poller_ready')).toEqual([
      expect.objectContaining({ value: [expect.any(Number), '1'] }),
    ]);
  });

  it('answers every dashboard query with data, from metrics the poller exposes', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(12);
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const names = metricNames(expr);
      if (!names.length) problems.push(`${panel}: no metric in ${expr}`);
      for (const name of names.filter((n) => !exposed.has(n))) {
        problems.push(`${panel}: ${name} is not on /metrics`);
      }
      if (!(await query(expr)).length) problems.push(`${panel}: no data for ${expr}`);
    }
    expect(problems).toEqual([]);
  });

  it('loads every alert rule, evaluates each without error, and none holds on a healthy poller', async () => {
    const inFile = readFileSync(RULES, 'utf8').match(/^\s*- alert: /gm)?.length ?? 0;
    let rules: RuleInfo[] = [];
    // A rule evaluated once has a health; the first evaluation may still be under way.
    await until(async () => {
      const answer = (await (await fetch(`${api}/api/v1/rules`)).json()) as {
        data: { groups: Array<{ rules: RuleInfo[] }> };
      };
      rules = answer.data.groups.flatMap((group) => group.rules);
      return rules.length > 0 && rules.every((rule) => rule.health !== 'unknown');
    }, 'the rules to be evaluated');
    expect(rules.map((rule) => rule.type)).toEqual(Array(inFile).fill('alerting'));
    const problems: string[] = [];
    for (const rule of rules) {
      if (rule.health !== 'ok') problems.push(`${rule.name}: ${rule.health} ${rule.lastError}`);
      const names = metricNames(rule.query);
      if (!names.length) problems.push(`${rule.name}: no metric in ${rule.query}`);
      for (const name of names.filter((n) => n !== 'up' && !exposed.has(n))) {
        problems.push(`${rule.name}: ${name} is not on /metrics`);
      }
      for (const selector of selectors(rule.query)) {
        if (!(await query(selector)).length) problems.push(`${rule.name}: no series ${selector}`);
      }
      const holding = await query(rule.query);
      if (holding.length) problems.push(`${rule.name} holds: ${JSON.stringify(holding)}`);
    }
    expect(problems).toEqual([]);
  });
});
