import { errorChain } from './kafka-errors.js';
import {
  describeAcl,
  kafkaAclsCommand,
  READER_GROUP_PREFIX,
  type AclGrantee,
  type AclOperation,
  type AclResource,
} from './required-acls.js';

/**
 * What the poller was doing when Kafka refused it: Kafka's authorization errors do not say
 * which resource they are about ("Not authorized to access topics: [Topic authorization
 * failed]"), and kafkajs turns some into other errors, so the resource comes from here.
 */
export type KafkaAccess =
  | { kind: 'transaction'; transactionalId: string; topics: string[] }
  | { kind: 'read'; topic: string }
  | { kind: 'create-topics'; topics: string[] };

/** Kafka refused an operation an ACL must allow: the line names it and how to grant it. */
export class KafkaAuthorizationError extends Error {
  override readonly name = 'KafkaAuthorizationError';
  constructor(
    readonly operation: AclOperation | 'Create',
    readonly resources: AclResource[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The kafkajs error types (and error names) along an error's chain of causes. */
export function errorKinds(error: unknown): Set<string> {
  const kinds = new Set<string>();
  for (const e of errorChain(error)) {
    if (typeof e.type === 'string') kinds.add(e.type);
    if (typeof e.name === 'string') kinds.add(e.name);
  }
  return kinds;
}

const topics = (names: string[]): AclResource[] =>
  names.map((name) => ({ type: 'topic', name, pattern: 'literal' }));

/**
 * The missing ACL behind `error`, as an error whose message is one line for the log and
 * /health/ready (operation, resource, the kafka-acls command); undefined when `error` is not
 * an authorization failure. Pure.
 *
 * What Kafka 4 and kafkajs 2.2.4 answer (checked against a broker with the StandardAuthorizer,
 * test/locked-down-kafka.e2e-spec.ts):
 * - no Write on any topic: CLUSTER_AUTHORIZATION_FAILED on `connect()` of the idempotent
 *   producer (its producer id needs Write on a topic or IdempotentWrite on the cluster);
 * - no ACL on the transactional id: Kafka refuses FindCoordinator, and kafkajs, which swallows
 *   each broker's answer, throws KafkaJSGroupCoordinatorNotFound; Describe but no Write:
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
 * - no Read on the consumer group: KafkaJSGroupCoordinatorNotFound again; no Read on the topic:
 *   TOPIC_AUTHORIZATION_FAILED when fetching.
 */
export function authorizationFailure(
  error: unknown,
  access: KafkaAccess,
  grantee: AclGrantee,
): KafkaAuthorizationError | undefined {
  const kinds = errorKinds(error);
  const coordinatorRefused = kinds.has('KafkaJSGroupCoordinatorNotFound');
  const refused = (
    operation: AclOperation,
    resources: AclResource[],
    doing: string,
    hedge = '',
  ) => {
    const acl = { operation, resources };
    return new KafkaAuthorizationError(
      operation,
      resources,
      `Kafka refused ${describeAcl(acl)} to ${grantee.principal} (${doing})${hedge}; grant it: ${kafkaAclsCommand(acl, grantee)}`,
      { cause: error },
    );
  };
  switch (access.kind) {
    case 'transaction': {
      const id: AclResource[] = [
        { type: 'transactional-id', name: access.transactionalId, pattern: 'literal' },
      ];
      if (kinds.has('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'))
        return refused('Write', id, 'transactions');
      if (coordinatorRefused)
        return refused(
          'Write',
          id,
          'finding its transaction coordinator',
          ', or no transaction coordinator answers',
        );
      if (kinds.has('TOPIC_AUTHORIZATION_FAILED') || kinds.has('CLUSTER_AUTHORIZATION_FAILED'))
        return refused('Write', topics(access.topics), 'producing');
      return undefined;
    }
    case 'read':
      if (kinds.has('TOPIC_AUTHORIZATION_FAILED'))
        return refused('Read', topics([access.topic]), `reading ${access.topic}`);
      if (kinds.has('GROUP_AUTHORIZATION_FAILED') || coordinatorRefused)
        return refused(
          'Read',
          [{ type: 'group', name: READER_GROUP_PREFIX, pattern: 'prefixed' }],
          `reading ${access.topic} with a consumer group`,
          coordinatorRefused ? ', or no group coordinator answers' : '',
        );
      return undefined;
    case 'create-topics':
      if (!kinds.has('TOPIC_AUTHORIZATION_FAILED') && !kinds.has('CLUSTER_AUTHORIZATION_FAILED'))
        return undefined;
      return new KafkaAuthorizationError(
        'Create',
        topics(access.topics),
        `topics ${access.topics.join(', ')} are missing or not visible to ${grantee.principal}, and Kafka refused to create them: create them beforehand (docs/OPERATIONS.md, "Topics") and grant the documented ACLs (Read or Write on a topic also lets the poller see it)`,
        { cause: error },
      );
  }
}
