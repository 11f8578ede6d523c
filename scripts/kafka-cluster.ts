import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freeBrokerPort } from './free-port.js';

const run = promisify(execFile);
/** The checkout: this file runs from scripts/ (jest) or dist/scripts/ (the bench). */
const root = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'kafka', 'cluster.sh'))) dir = dirname(dir);
  return dir;
})();
const script = join(root, 'scripts', 'kafka', 'cluster.sh');

export type NodeId = 1 | 2 | 3;
export const NODES: readonly NodeId[] = [1, 2, 3];

/**
 * Three Kafka nodes from scripts/kafka/cluster.sh on ports of their own, for the failover tests
 * and the failover bench: which node leads a partition or coordinates a transactional id is
 * asked of the cluster itself, with kafkajs.
 */
export class KafkaCluster {
  private constructor(
    readonly basePort: number,
    readonly stateDir: string,
  ) {}

  static async create(stateRoot = join(root, '.cache', 'kafka')): Promise<KafkaCluster> {
    const port = await freeBrokerPort(6);
    return new KafkaCluster(port, join(stateRoot, `cluster-test-${port}`));
  }

  portOf(node: NodeId): number {
    return this.basePort + 2 * (node - 1);
  }

  get brokers(): string[] {
    return NODES.map((node) => `127.0.0.1:${this.portOf(node)}`);
  }

  /** A client of the cluster for the test's own reads (quiet: nodes come and go). */
  client(clientId = 'failover-test'): Kafka {
    return new Kafka({ clientId, brokers: this.brokers, logLevel: logLevel.NOTHING });
  }

  start(): Promise<void> {
    return this.exec(['start'], { KAFKA_FRESH: '1' });
  }

  async stop(): Promise<void> {
    await this.exec(['stop']);
  }

  /** Stops the cluster and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** SIGKILL: the node's process ends at once, as in a crash. */
  kill(node: NodeId): Promise<void> {
    return this.exec(['kill', String(node)]);
  }

  /** A clean stop (SIGTERM): the node hands its leaderships over before it exits. */
  stopNode(node: NodeId): Promise<void> {
    return this.exec(['stop-node', String(node)]);
  }

  /** Starts a node again and resolves once it serves. */
  restart(node: NodeId): Promise<void> {
    return this.exec(['restart', String(node)]);
  }

  /** The node leading `topic`'s `partition` now, as the cluster's metadata says. */
  async leaderOf(topic: string, partition = 0): Promise<NodeId> {
    const admin = this.client().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics[0]?.partitions.find((p) => p.partitionId === partition);
      if (!found || found.leader < 1) throw new Error(`${topic}-${partition} has no leader`);
      return found.leader as NodeId;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The node coordinating `transactionalId`: the leader of its partition of
   * __transaction_state, which the broker picks as abs(String.hashCode) modulo the topic's
   * partition count (TransactionStateManager.partitionFor).
   */
  async coordinatorOf(transactionalId: string): Promise<NodeId> {
    const admin = this.client().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['__transaction_state'] });
      const partition = javaAbs(javaHashCode(transactionalId)) % topics[0].partitions.length;
      return this.leaderOf('__transaction_state', partition);
    } finally {
      await admin.disconnect();
    }
  }

  /** Resolves once every partition of `topics` has all three replicas in sync again. */
  async waitForFullIsr(topics: string[], timeoutMs = 120_000): Promise<void> {
    const admin = this.client().admin();
    await admin.connect();
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const metadata = await admin.fetchTopicMetadata({ topics }).catch(() => undefined);
        const full = metadata?.topics.every((t) =>
          t.partitions.every((p) => p.isr.length === 3 && p.leader > 0),
        );
        if (full) return;
        if (Date.now() > deadline)
          throw new Error(`${topics.join(', ')}: replicas not all in sync within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async exec(args: string[], env: Record<string, string> = {}): Promise<void> {
    try {
      await run('bash', [script, ...args], {
        env: {
          ...process.env,
          ...env,
          KAFKA_CLUSTER_PORT: String(this.basePort),
          KAFKA_CLUSTER_DIR: this.stateDir,
        },
        timeout: 240_000,
      });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`cluster.sh ${args.join(' ')} failed: ${e.stderr || e.message}`, {
        cause: error,
      });
    }
  }
}

/** java.lang.String.hashCode of a string of UTF-16 code units. */
export function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** org.apache.kafka.common.utils.Utils.abs: Integer.MIN_VALUE maps to 0. */
function javaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}
