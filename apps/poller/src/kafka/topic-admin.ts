import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { authorizationFailure } from './authorization-failure.js';
import {
  describeAcl,
  kafkaAclsCommand,
  type AclGrantee,
  type RequiredAcl,
} from './required-acls.js';

// kafkajs is CommonJS; Node's ESM loader sees only some of its exports by name (see eslint.config.mjs).
const { ConfigResourceTypes } = kafkajs;

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

export class TopicMismatchError extends Error {
  override readonly name = 'TopicMismatchError';
}

export interface EnsuredTopics {
  created: string[];
  warnings: string[];
  /** Each topic's `max.message.bytes` where known: as created, or as described. */
  maxMessageBytes: Record<string, number>;
}

const GRANTEE_UNKNOWN: AclGrantee = { principal: 'User:<principal>', bootstrap: '<brokers>' };

/**
 * Creates the topics that are missing, with the given partitions, replication and configs; for
 * topics that exist, checks the settings the poller's guarantees depend on (the progress topic
 * must be compacted), reports any other difference without changing a topic someone may have
 * tuned on purpose, and learns their `max.message.bytes`. Where the principal may not describe
 * the topics' configs (an ACL only this check needs), that costs one warning, not the start.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  grantee: AclGrantee = GRANTEE_UNKNOWN,
): Promise<EnsuredTopics> {
  const existing = new Set(await admin.listTopics());
  const maxMessageBytes: Record<string, number> = {};
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length) {
    const topics: ITopicConfig[] = missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      replicationFactor: s.replicationFactor,
      configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
    }));
    try {
      await admin.createTopics({ topics, waitForLeaders: true });
    } catch (error) {
      // Another poller may have created it a moment ago.
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') {
        const names = missing.map((s) => s.topic);
        throw (
          authorizationFailure(error, { kind: 'create-topics', topics: names }, grantee) ?? error
        );
      }
    }
    for (const s of missing) {
      const limit = Number(s.config['max.message.bytes']);
      if (limit > 0) maxMessageBytes[s.topic] = limit;
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  const warnings: string[] = [];
  if (present.length) {
    const described = await describeTopicConfigs(admin, present);
    if (!described) {
      const acl: RequiredAcl = {
        operation: 'DescribeConfigs',
        resources: present.map((s) => ({ type: 'topic', name: s.topic, pattern: 'literal' })),
        purpose: '',
        required: false,
      };
      warnings.push(
        `the settings of ${present.map((s) => s.topic).join(', ')} were not checked and their max.message.bytes is not known: Kafka refused ${describeAcl(acl)} to ${grantee.principal}; events larger than EVENTS_MAX_MESSAGE_BYTES go to the dead-letter topic, and the limit is lowered at the first event a topic refuses as too large; grant it: ${kafkaAclsCommand(acl, grantee)}`,
      );
      return { created: missing.map((s) => s.topic), warnings, maxMessageBytes };
    }
    for (const resource of described.resources) {
      const spec = present.find((s) => s.topic === resource.resourceName)!;
      const limit = Number(
        resource.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
      );
      if (limit > 0) maxMessageBytes[spec.topic] = limit;
      for (const [name, wanted] of Object.entries(spec.config)) {
        const actual = resource.configEntries.find((e) => e.configName === name)?.configValue;
        if (actual === wanted) continue;
        if (
          name === 'cleanup.policy' &&
          wanted === 'compact' &&
          !actual?.split(',').includes('compact')
        ) {
          throw new TopicMismatchError(
            `topic ${spec.topic} has cleanup.policy=${actual}; the progress topic must be compacted`,
          );
        }
        warnings.push(
          `topic ${spec.topic} has ${name}=${actual}, the poller would create it with ${wanted}`,
        );
      }
    }
  }
  return { created: missing.map((s) => s.topic), warnings, maxMessageBytes };
}

/** The topics' configs (and `max.message.bytes`), or undefined when Kafka refuses to tell. */
async function describeTopicConfigs(admin: Admin, specs: TopicSpec[]) {
  try {
    return await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.topic,
        configNames: [...new Set([...Object.keys(s.config), 'max.message.bytes'])],
      })),
    });
  } catch (error) {
    if ((error as { type?: string }).type === 'TOPIC_AUTHORIZATION_FAILED') return undefined;
    throw error;
  }
}
