/**
 * `npm run bench:reconcile`: one daily reconciliation pass at 60,000 emails a day over 3 days,
 * run by the real poller on its schedule: how long it takes, what it reads from Kafka to find
 * the keys already published, the API calls it spends, and the poller's peak RSS during it.
 *
 *   npm run build && KAFKA_BROKERS=127.0.0.1:19092 node dist/bench/reconcile-pass.js
 *
 * The simulator generates the three days (and a little more); the poller catches up on them,
 * then 100 emails dated inside the days but beyond the look-back are added, and the pass at the
 * next POLL_RECONCILE_AT finds them. A dedicated broker is started unless KAFKA_BROKERS names one.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatWallTime, wallTimeOf } from '@app/contracts';
import { CleanupStack } from './cleanup-stack.js';
import { freePort } from '../scripts/free-port.js';
import { startBenchKafka } from './kafka-broker.js';
import { machineInfo } from './machine-info.js';
import { POLLER_MAIN, workDir } from './paths.js';
import { ProcessSampler } from './process-stats.js';
import { SimulatorProcess } from './simulator-process.js';
import { stopProcess, tracked } from './stop-process.js';

const ZONE = 'America/Bogota';
const DAY = 86_400;
const PER_DAY = 60_000;
const LATE = 100;

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface LogLine {
  time: string;
  msg: string;
  context?: string;
}

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

async function main(): Promise<void> {
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const machine = await machineInfo();
    const kafka = await startBenchKafka(process.env);
    cleanup.push('the broker', () => kafka.stop());
    const startedAt = Date.now();
    const nowWall = wallTimeOf(new Date(startedAt), ZONE);
    const simulator = await SimulatorProcess.start('reconcile', {
      SIM_TIMEZONE: ZONE,
      SIM_SEED: 'reconcile-bench',
      SIM_DATA_FROM: formatWallTime(nowWall - 3 * DAY - 3600),
      SIM_DATA_TO: formatWallTime(nowWall - 600),
      SIM_EMAILS_PER_HOUR: String(PER_DAY / 24),
      SIM_LATE_RATE: '0',
      SIM_DUPLICATE_RATE: '0',
      SIM_INVALID_RATE: '0',
    });
    cleanup.push('the simulator', () => simulator.stop());
    log(`simulator: ${(await simulator.status()).records} records`);

    // Three minutes leave the catch-up of 3 days time to finish before the pass.
    const at = Math.ceil((nowWall + 180) / 60) * 60;
    const suffix = `bench-reconcile-${startedAt}`;
    const port = await freePort();
    const logFile = join(workDir('logs'), 'poller-reconcile.log');
    const child = tracked(
      spawn(process.execPath, [POLLER_MAIN], {
        env: {
          PATH: process.env.PATH ?? '',
          KAFKA_BROKERS: kafka.brokers.join(','),
          WOLKVOX_SERVER: suffix,
          WOLKVOX_TOKEN: 'dev-token',
          WOLKVOX_BASE_URL: simulator.url,
          WOLKVOX_TIMEZONE: ZONE,
          EMAIL_SENT_TOPIC: `${suffix}.events`,
          EMAIL_DEAD_LETTER_TOPIC: `${suffix}.dlq`,
          POLLER_PROGRESS_TOPIC: `${suffix}.progress`,
          POLL_START_AT: new Date(startedAt - (3 * DAY + 3600) * 1000).toISOString(),
          POLL_INTERVAL_SECONDS: '30',
          POLL_LOOKBACK_SECONDS: '300',
          POLL_RECONCILE_DAYS: '3',
          POLL_RECONCILE_AT: formatWallTime(at).slice(11, 16),
          HTTP_PORT: String(port),
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', openSync(logFile, 'w'), openSync(logFile, 'a')],
      }),
    );
    cleanup.push('the poller', () => stopProcess(child, 20_000));
    const sampler = new ProcessSampler(child.pid!, 50);
    cleanup.push('the sampler', () => Promise.resolve(sampler.stop()));

    const waitForLog = async (pattern: RegExp, timeoutMs: number): Promise<LogLine> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logLines(logFile).find((l) => pattern.test(l.msg));
        if (line) return line;
        if (child.exitCode !== null) throw new Error(`the poller exited; see ${logFile}`);
        if (Date.now() > deadline) throw new Error(`no log line ${pattern} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    // Caught up: the live poll reached the present (a window ending within the look-back).
    const deadline = Date.now() + 170_000;
    for (;;) {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      if (/wolkvox_poller_cycles_total\{outcome="caught-up"[^}]*\} [1-9]/.test(metrics)) break;
      if (Date.now() > deadline) throw new Error('the poller did not catch up before the pass');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const caughtUpAt = Date.now();
    log(`caught up in ${((caughtUpAt - startedAt) / 1000).toFixed(1)} s`);
    const late = Array.from({ length: LATE }, (_, i) => ({
      record: {
        channel: 'campaign-00042',
        date: formatWallTime(nowWall - 2 * 3600 - Math.floor((i * (3 * DAY - 4 * 3600)) / LATE)),
        from: 'bench@example.com',
        to: `late${i}@example.com`,
        subject: `late ${i}`,
        body: `<p>found late ${i}</p>`,
      },
    }));
    const appended = await fetch(`${simulator.url}/control/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: late }),
    });
    if (!appended.ok) throw new Error(`appending the late records: ${appended.status}`);
    const rssBefore = sampler.take()?.rssBytes ?? 0;
    log(`waiting for the pass at ${formatWallTime(at)} (${ZONE})`);

    const started = await waitForLog(/^pass of .* re-reading/, (at - nowWall + 120) * 1000);
    const ended = await waitForLog(/^pass of .* (completed|failed|stopped-budget)/, 600_000);
    const keys =
      /(\d+) keys already published \((\d+) messages, (\d+) bytes read in (\d+) ms\)/.exec(
        started.msg,
      );
    const found =
      /(\d+) emails found late, \d+ dead letters, (\d+) already published, (\d+) calls/.exec(
        ended.msg,
      );
    // The pass starts with reading the keys; its log line comes once they are read.
    const passFrom = Date.parse(started.time) - Number(keys?.[4] ?? 0);
    const passTo = Date.parse(ended.time);
    const during = sampler.samples.filter((s) => s.at >= passFrom && s.at <= passTo + 100);
    const peakDuring = Math.max(...during.map((s) => s.rssBytes));
    const figures = {
      machine: `${machine.nproc} CPUs, ${machine.cpuModel}, Node ${process.version}`,
      broker: kafka.description,
      records: (await simulator.status()).records,
      passSeconds: (passTo - passFrom) / 1000,
      keyReadSeconds: keys ? Number(keys[4]) / 1000 : undefined,
      keysRead: keys ? Number(keys[1]) : undefined,
      messagesRead: keys ? Number(keys[2]) : undefined,
      bytesRead: keys ? Number(keys[3]) : undefined,
      found: found ? Number(found[1]) : undefined,
      alreadyPublished: found ? Number(found[2]) : undefined,
      calls: found ? Number(found[3]) : undefined,
      rssBeforePassMB: Math.round(rssBefore / 1e6),
      peakRssDuringPassMB: Math.round(peakDuring / 1e6),
      outcome: ended.msg,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await cleanup.run(log);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
