import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { EMAIL_SENT_CONTENT_TYPE } from '@app/contracts';
import type { Measurement } from './measurement.js';
import { ProcessSampler } from './process-stats.js';
import { tracked } from './stop-process.js';

const exec = promisify(execFile);

/**
 * kcat (librdkafka) from Debian's package: installed here when missing, since a fresh machine
 * has none and the bench is a single command.
 */
export async function ensureKcat(log: (line: string) => void): Promise<void> {
  if (await found('kcat')) return;
  log('kcat not found: installing the Debian package (apt-get install -y kcat)');
  const root = process.getuid?.() === 0;
  if (!root && !(await found('sudo')))
    throw new Error('kcat is missing and this user cannot install it: apt-get install -y kcat');
  const apt = (args: string[]) =>
    root
      ? exec('apt-get', args, { timeout: 600_000 })
      : exec('sudo', ['apt-get', ...args], { timeout: 600_000 });
  try {
    await apt(['update']);
    await apt(['install', '-y', 'kcat']);
  } catch (error) {
    throw new Error(
      `installing kcat failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
      { cause: error },
    );
  }
  if (!(await found('kcat'))) throw new Error('kcat is still not on PATH after apt-get install');
}

async function found(command: string): Promise<boolean> {
  try {
    await exec('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

export interface KcatInput {
  brokers: string[];
  topic: string;
  messageFile: string;
  events: number;
  eventBytes: number;
  transactionalId?: string;
  gzip: boolean;
}

/**
 * Produces the message file with `kcat -P -l` (one `key<TAB>value` a line, the events' content
 * type header on each), idempotent with acks=all, and librdkafka's defaults otherwise: the
 * practical limit of this machine. The span is kcat's whole life (start-up, metadata and
 * producer id included, a few ms); CPU and peak RSS come from /proc sampled every 10 ms.
 */
export async function runKcat(input: KcatInput): Promise<Measurement> {
  const args = [
    '-P',
    '-q',
    '-b',
    input.brokers.join(','),
    '-t',
    input.topic,
    '-K',
    '\t',
    '-H',
    `content-type=${EMAIL_SENT_CONTENT_TYPE}`,
    '-X',
    'enable.idempotence=true',
    '-X',
    'acks=all',
    '-z',
    input.gzip ? 'gzip' : 'none',
    // Transaction commits and the final flush of a 256 MB file take longer than the 5 s default.
    '-m',
    '120',
    ...(input.transactionalId ? ['-X', `transactional.id=${input.transactionalId}`] : []),
    '-l',
    input.messageFile,
  ];
  const started = performance.now();
  const child = tracked(spawn('kcat', args, { stdio: ['ignore', 'inherit', 'inherit'] }));
  const sampler = new ProcessSampler(child.pid!, 10);
  const [code] = (await once(child, 'exit')) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  sampler.stop();
  if (code !== 0) throw new Error(`kcat exited with ${code}`);
  const { cpuSeconds, peakRssBytes } = sampler.highest;
  return {
    tool: input.transactionalId ? 'kcat-transactional' : 'kcat-idempotent',
    records: input.events,
    bytes: input.eventBytes,
    seconds,
    cpuSeconds,
    peakRssBytes,
  };
}
