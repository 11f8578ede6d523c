import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs';
import { assignPartitions, type FleetMember } from './fleet-assignment.js';

export interface FleetMembershipOptions {
  /** The group the fleet's replicas join: one per fleet. */
  groupId: string;
  /** The fleet topic, whose partitions carry the operations (fleet-assignment.ts). */
  topic: string;
  /** How many operations each partition carries, as this replica's file says. */
  load: () => ReadonlyMap<number, number>;
  /** Called with this replica's partitions after every rebalance, one call at a time. */
  onAssigned: (partitions: number[]) => Promise<void>;
  /**
   * Called when kafkajs gives the membership up (a crash it does not restart from, such as a
   * missing ACL on the group): the replica is no member any more until it starts again.
   */
  onLost?: (error: Error) => void | Promise<void>;
  /** How long the coordinator waits for a silent replica before its share moves. */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export const FLEET_ASSIGNER_NAME = 'WolkvoxFleetSticky';

/**
 * This replica's membership of the fleet's Kafka group. The group coordinator keeps the members
 * and elects a leader; the leader's assigner (`fleetAssigner`) decides who serves what; each
 * member is told its share after every rebalance. No scheduler, election or store of our own.
 *
 * kafkajs's group protocol is eager (every member gives its partitions up at a rebalance), but
 * nothing here stops at a rebalance: a member goes on serving what it holds until it is told
 * its new share, and the assigner keeps every partition where it was unless it must move, so a
 * rebalance stops and starts only the operations that change hands. Two replicas may briefly
 * both think they serve an operation that moves; its lease and its transactional id's fencing
 * make sure only one publishes (docs/DESIGN.md).
 */
export class KafkaFleetMembership {
  private consumer: Consumer | undefined;
  private held: number[] = [];
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: FleetMembershipOptions,
  ) {}

  /** Partitions this replica serves now. */
  get partitions(): readonly number[] {
    return this.held;
  }

  async start(): Promise<void> {
    const { groupId, topic, sessionTimeoutMs, heartbeatIntervalMs } = this.options;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalMs,
      rebalanceTimeout: sessionTimeoutMs,
      // kafkajs heartbeats between fetches, and a fetch of the (always empty) fleet topic waits
      // maxWaitTimeInMs: its 5 s default would leave a 6 s session one late heartbeat from
      // expiring. A fetch per heartbeat interval costs the broker nothing.
      maxWaitTimeInMs: heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      partitionAssigners: [fleetAssigner(this.options.load, () => this.held)],
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      this.deliver(partitions);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && this.consumer === consumer) void this.options.onLost?.(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    // Nothing is ever written to the fleet topic: the fetches only keep the member alive.
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
  }

  /** Leaves the group at once (the others take this replica's share), after `onAssigned([])`. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    this.deliver([]);
    await this.delivering;
  }

  private deliver(partitions: number[]): void {
    this.delivering = this.delivering
      .then(async () => {
        this.held = partitions;
        await this.options.onAssigned(partitions);
      })
      .catch(() => undefined);
  }
}

/**
 * The kafkajs assigner of the fleet: each member says in its join metadata what it holds; the
 * leader's decision is assignPartitions' over the load its own file gives.
 */
export function fleetAssigner(
  load: () => ReadonlyMap<number, number>,
  held: () => readonly number[],
): PartitionAssigner {
  return () => ({
    name: FLEET_ASSIGNER_NAME,
    version: 1,
    assign({ members, topics }) {
      const topic = topics[0];
      const fleet: FleetMember[] = members.map(({ memberId, memberMetadata }) => ({
        memberId,
        held: heldIn(memberMetadata),
      }));
      const decided = assignPartitions(fleet, load());
      return Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: { [topic]: decided.get(memberId) ?? [] },
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
    protocol({ topics }) {
      return {
        name: FLEET_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(JSON.stringify({ held: held() })),
        }),
      };
    },
  });
}

/** What a member held, from its join metadata; nothing when it cannot be read. */
function heldIn(metadata: Buffer): number[] {
  try {
    const userData = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    const parsed = JSON.parse(userData?.toString() || '{}') as { held?: unknown };
    return Array.isArray(parsed.held)
      ? parsed.held.filter((p): p is number => Number.isInteger(p))
      : [];
  } catch {
    return [];
  }
}
