import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  java: string;
  kcat: string;
  kafka: string;
  loadAverage: number[];
}

/** What the figures depend on, printed with them. */
export async function machineInfo(): Promise<MachineInfo> {
  const firstLine = async (command: string, args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await exec(command, args);
      return `${stdout}${stderr}`.trim().split('\n')[0];
    } catch {
      return 'unknown';
    }
  };
  // `Version 1.7.1 (JSON, Transactions, ..., librdkafka 2.0.2 builtin.features=...)`
  const version = await firstLine('sh', ['-c', 'kcat -V 2>&1 | grep Version']);
  const kcat = `${/Version (\S+)/.exec(version)?.[1] ?? 'unknown'} (librdkafka ${/librdkafka (\S+)/.exec(version)?.[1] ?? 'unknown'})`;
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    java: await firstLine('java', ['-version']),
    kcat,
    kafka: process.env.KAFKA_VERSION ?? '4.4.0 (scripts/kafka/broker.sh default)',
    loadAverage: loadavg(),
  };
}
