import type { Admin } from 'kafkajs';
import { authorizationFailure } from './authorization-failure.js';
import type { TopicAdmin } from './kafka-client.js';
import { kafkaErrorTypes } from './kafka-errors.js';
import { kafkajsTopicAdmin } from './kafkajs-topic-admin.js';
import {
  describeAcl,
  kafkaAclsCommand,
  type AclGrantee,
  type RequiredAcl,
} from './required-acls.js';

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
  client: Admin | TopicAdmin,
  specs: TopicSpec[],
  grantee: AclGrantee = GRANTEE_UNKNOWN,
): Promise<EnsuredTopics> {
  const admin = 'describeTopicConfigs' in client ? client : kafkajsTopicAdmin(client);
  const existing = new Set(await admin.listTopics());
  const maxMessageBytes: Record<string, number> = {};
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length) {
    try {
      await admin.createTopics(missing);
    } catch (error) {
      // Another poller may have created it a moment ago.
      if (!kafkaErrorTypes(error).includes('TOPIC_ALREADY_EXISTS')) {
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
    for (const resource of described) {
      const spec = present.find((s) => s.topic === resource.topic)!;
      const limit = Number(resource.configs['max.message.bytes']);
      if (limit > 0) maxMessageBytes[spec.topic] = limit;
      for (const [name, wanted] of Object.entries(spec.config)) {
        const actual = resource.configs[name];
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
async function describeTopicConfigs(admin: TopicAdmin, specs: TopicSpec[]) {
  const names = new Set(['max.message.bytes', ...specs.flatMap((s) => Object.keys(s.config))]);
  try {
    return await admin.describeTopicConfigs(
      specs.map((s) => s.topic),
      [...names],
    );
  } catch (error) {
    if (kafkaErrorTypes(error).includes('TOPIC_AUTHORIZATION_FAILED')) return undefined;
    throw error;
  }
}
