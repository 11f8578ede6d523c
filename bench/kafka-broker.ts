import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { CleanupStack } from './cleanup-stack.js';
import { freeBrokerPort } from '../scripts/free-port.js';
import { stopAllTracked } from './stop-process.js';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts', 'kafka', 'broker.sh');

/** A Kafka to measure against: the bench's own broker, or one named by KAFKA_BROKERS. */
export interface BenchKafka {
  brokers: string[];
  /** Where the figures came from, for the report. */
  description: string;
  stop(): Promise<void>;
}

/**
 * KAFKA_BROKERS when set (the caller owns that cluster); otherwise a dedicated broker from
 * scripts/kafka/broker.sh on a free port with fresh state under .cache/bench (removed when it
 * stops), so no test run on the shared broker competes with the measurement for its log or its
 * request threads.
 */
export async function startBenchKafka(env: NodeJS.ProcessEnv): Promise<BenchKafka> {
  if (env.KAFKA_BROKERS) {
    const brokers = env.KAFKA_BROKERS.split(',').map((b) => b.trim());
    return { brokers, description: `KAFKA_BROKERS=${brokers.join(',')}`, stop: async () => {} };
  }
  const port = await freeBrokerPort();
  const stateDir = join(REPO_ROOT, '.cache', 'bench', `kafka-${port}`);
  const brokerEnv = {
    ...env,
    KAFKA_PORT: String(port),
    KAFKA_STATE_DIR: stateDir,
    KAFKA_FRESH: '1',
  };
  const exec = async (command: 'start' | 'stop'): Promise<void> => {
    try {
      await run('bash', [SCRIPT, command], { env: brokerEnv, timeout: 240_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`broker.sh ${command} on port ${port} failed: ${e.stderr || e.message}`, {
        cause: error,
      });
    }
  };
  await exec('start');
  let stopped = false;
  return {
    brokers: [`127.0.0.1:${port}`],
    description: `dedicated broker (scripts/kafka/broker.sh, 127.0.0.1:${port}, fresh state)`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec('stop');
      // A run writes gigabytes; the broker deletes topics only after a delay, if still running.
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bench's broker (dedicated unless KAFKA_BROKERS is set) and an admin client on it, both
 * registered for cleanup with the processes the bench starts.
 */
export async function startBenchKafkaWithAdmin(
  env: NodeJS.ProcessEnv,
  cleanup: CleanupStack,
): Promise<{ kafka: BenchKafka; admin: Admin }> {
  const kafka = await startBenchKafka(env);
  cleanup.push('Kafka broker', () => kafka.stop());
  cleanup.push('processes started by the bench', () => stopAllTracked(10_000));
  const admin = new Kafka({
    clientId: 'bench-admin',
    brokers: kafka.brokers,
    logLevel: logLevel.WARN,
  }).admin();
  await admin.connect();
  cleanup.push('Kafka admin client', () => admin.disconnect());
  return { kafka, admin };
}
