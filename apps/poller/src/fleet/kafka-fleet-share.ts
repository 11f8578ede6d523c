import { Logger } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { PollerConfig } from '../config/poller-config.js';
import { kafkaErrorTypes } from '../kafka/kafka-errors.js';
import { createTopicsWithLeaders } from '../kafka/topic-leaders.js';
import type { OperationShare, ShareState } from '../runtime/runtime-supervisor.js';
import { operationsByPartition } from './fleet-assignment.js';
import { KafkaFleetMembership } from './kafka-fleet-membership.js';

/** How long after a failed join (brokers away, a missing ACL) the replica tries again. */
const REJOIN_MS = 5_000;

/**
 * The fleet's operations shared by its replicas through Kafka's group membership: this replica
 * joins the fleet's group (KafkaFleetMembership), and the partitions of the fleet topic the
 * group gives it stand for the operations that ride on them (fleet-assignment.ts). Every replica
 * reads the same file, so all agree on which operation rides where.
 *
 * Joining runs in the background and is tried again until it works: a replica whose brokers
 * are away, or that lacks an ACL on the group, answers its health probes meanwhile and says why
 * it is not a member.
 */
export class KafkaFleetShare implements OperationShare {
  private readonly logger = new Logger('Fleet');
  private membership: KafkaFleetMembership | undefined;
  private member = false;
  private problem: string | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private joining: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: Pick<PollerConfig, 'fleet'> & {
      kafka: Pick<PollerConfig['kafka'], 'replicationFactor'>;
    },
    private readonly servers: readonly string[],
  ) {}

  start(serve: (servers: readonly string[]) => Promise<void>): Promise<void> {
    this.joining = this.join(serve);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.joining;
    await this.membership?.stop();
    this.member = false;
  }

  state(): ShareState {
    return { member: this.member, ...(this.problem ? { problem: this.problem } : {}) };
  }

  private async join(serve: (servers: readonly string[]) => Promise<void>): Promise<void> {
    const { groupId, topic, sessionTimeoutMs } = this.settings.fleet;
    try {
      const partitions = await this.fleetTopicPartitions();
      const byPartition = operationsByPartition(this.servers, partitions);
      const load = new Map([...byPartition].map(([p, servers]) => [p, servers.length]));
      const membership = new KafkaFleetMembership(this.kafka, {
        groupId,
        topic,
        load: () => load,
        onAssigned: async (held) => {
          // A membership given up (lost, or left at shutdown) says nothing any more.
          if (this.membership !== membership || (this.stopped && held.length > 0)) return;
          this.member = !this.stopped;
          this.problem = undefined;
          await serve(held.flatMap((p) => byPartition.get(p) ?? []));
        },
        onLost: (error) => this.lost(error, serve),
        sessionTimeoutMs,
        // kafkajs's rule: a heartbeat well within the session, three at least.
        heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 4),
      });
      this.membership = membership;
      await membership.start();
    } catch (error) {
      await this.lost(error, serve);
    }
  }

  /** Out of the group for good (not a rebalance): stop serving, and join again shortly. */
  private async lost(
    error: unknown,
    serve: (servers: readonly string[]) => Promise<void>,
  ): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.member = false;
    this.problem = `not a member of the fleet's group ${this.settings.fleet.groupId}: ${message}`;
    this.logger.warn(`${this.problem}; trying again in ${REJOIN_MS / 1000} s`);
    const membership = this.membership;
    this.membership = undefined;
    // Its operations go to the other replicas: running them here too would only be fenced.
    await membership?.stop().catch(() => undefined);
    await serve([]);
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      if (!this.stopped) this.joining = this.join(serve);
    }, REJOIN_MS);
  }

  /** The fleet topic's partition count, creating the topic when it does not exist. */
  private async fleetTopicPartitions(): Promise<number> {
    const { topic, partitions } = this.settings.fleet;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const known = await partitionsOf(admin, topic);
      if (known) return known;
      // Asked only when missing: a locked-down cluster's admin creates it beforehand, and a
      // CreateTopics without the right would be refused even for a topic that exists.
      await createTopicsWithLeaders(admin, {
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: this.settings.kafka.replicationFactor,
          },
        ],
      });
      const made = await partitionsOf(admin, topic);
      if (!made) throw new Error(`the fleet topic ${topic} has no partitions after its creation`);
      return made;
    } finally {
      await admin.disconnect();
    }
  }
}

async function partitionsOf(admin: Admin, topic: string): Promise<number | undefined> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics.find((t) => t.name === topic)?.partitions.length || undefined;
  } catch (error) {
    if (kafkaErrorTypes(error).includes('UNKNOWN_TOPIC_OR_PARTITION')) return undefined;
    throw error;
  }
}
