import type { Topics } from '@app/contracts';

/**
 * The Kafka ACLs the poller's principal needs on a cluster that allows nothing without one, in
 * one place: docs/OPERATIONS.md shows this list (checked by required-acls.spec.ts), the
 * locked-down e2e test grants exactly it, and the poller names an entry of it when Kafka
 * refuses one (authorization-failure.ts).
 *
 * Minimal because Kafka implies Describe from Read and Write, and because an idempotent
 * producer needs no IdempotentWrite on the cluster since Kafka 2.8 (KIP-679): Write on any
 * topic allows it (kafkajs asks for an idempotent producer id on `connect()`, then for the
 * transactional one on the first transaction).
 */

export type AclOperation = 'Read' | 'Write' | 'DescribeConfigs';

export interface AclResource {
  type: 'topic' | 'transactional-id' | 'group';
  name: string;
  /** `prefixed`: every name that starts with `name`. */
  pattern: 'literal' | 'prefixed';
}

export interface RequiredAcl {
  operation: AclOperation;
  resources: AclResource[];
  /** What the poller does with it, for the docs and the operator's message. */
  purpose: string;
  /** false: without it the poller only warns (it loses a check), it still publishes. */
  required: boolean;
}

/** What the names of the list come from: the topics and the operation's server code. */
export interface AclNames {
  topics: Topics;
  server: string;
}

/** The transactional id of the live poll of an operation: a second poller of it fences the first. */
export const liveTransactionalId = (server: string) => `wolkvox-poller-${server}`;
/** The transactional id of the reconciliation pass and the CLI's backfill. */
export const backfillTransactionalId = (server: string) => `wolkvox-backfill-${server}`;
/** The throw-away consumer groups topic-reader.ts reads topics to their end with. */
export const READER_GROUP_PREFIX = 'reader-';
/** The CLI's `replay` groups. */
export const REPLAY_GROUP_PREFIX = 'replay-';

const topic = (name: string): AclResource => ({ type: 'topic', name, pattern: 'literal' });

export function requiredAcls({ topics, server }: AclNames): RequiredAcl[] {
  const all = [topics.events, topics.deadLetters, topics.progress].map(topic);
  return [
    {
      operation: 'Write',
      resources: all,
      purpose:
        'publish events, dead letters and checkpoints, and write the lease (also allows the idempotent producer id)',
      required: true,
    },
    {
      operation: 'Read',
      resources: all,
      purpose:
        'read the checkpoint and the lease back, and the keys already published (the reconciliation pass, the CLI)',
      required: true,
    },
    {
      operation: 'Write',
      resources: [
        { type: 'transactional-id', name: liveTransactionalId(server), pattern: 'literal' },
      ],
      purpose: "the live poll's transactions: events and checkpoint commit together",
      required: true,
    },
    {
      operation: 'Write',
      resources: [
        { type: 'transactional-id', name: backfillTransactionalId(server), pattern: 'literal' },
      ],
      purpose: "the reconciliation pass's and the CLI backfill's transactions",
      required: true,
    },
    {
      operation: 'Read',
      resources: [{ type: 'group', name: READER_GROUP_PREFIX, pattern: 'prefixed' }],
      purpose: 'the throw-away consumer groups that read a topic to its end (no offset is kept)',
      required: true,
    },
    {
      operation: 'Read',
      resources: [{ type: 'group', name: REPLAY_GROUP_PREFIX, pattern: 'prefixed' }],
      purpose: "the CLI's `replay` only",
      required: false,
    },
    {
      operation: 'DescribeConfigs',
      resources: all,
      purpose:
        "check the topics' settings at start and learn their `max.message.bytes`; without it the poller warns once and learns the limit from the first event the topic refuses",
      required: false,
    },
  ];
}

/** Who is granted, and how kafka-acls reaches the cluster, in the commands the poller prints. */
export interface AclGrantee {
  /** `User:<name>`: the SASL user name is the principal by default. */
  principal: string;
  bootstrap: string;
}

export function granteeOf(kafka: {
  brokers: readonly string[];
  sasl?: { username: string };
}): AclGrantee {
  return {
    principal: `User:${kafka.sasl?.username ?? '<principal>'}`,
    bootstrap: kafka.brokers.join(','),
  };
}

const FLAG: Record<AclResource['type'], string> = {
  topic: '--topic',
  'transactional-id': '--transactional-id',
  group: '--group',
};

/** The `kafka-acls` command that grants `acl` (run with an admin's client properties). */
export function kafkaAclsCommand(
  acl: Omit<RequiredAcl, 'purpose' | 'required'>,
  grantee: AclGrantee,
  separator = ' ',
): string {
  const prefixed = acl.resources.some((r) => r.pattern === 'prefixed');
  return [
    `kafka-acls --bootstrap-server ${grantee.bootstrap} --command-config admin.properties --add`,
    `--allow-principal ${grantee.principal} --operation ${acl.operation}`,
    [
      ...acl.resources.map((r) => `${FLAG[r.type]} ${r.name}`),
      ...(prefixed ? ['--resource-pattern-type prefixed'] : []),
    ].join(' '),
  ].join(separator);
}

/** "Write on topic a, topic b" */
export function describeAcl(acl: Omit<RequiredAcl, 'purpose' | 'required'>): string {
  const names = acl.resources.map(
    (r) => `${r.type} ${r.name}${r.pattern === 'prefixed' ? '*' : ''}`,
  );
  return `${acl.operation} on ${names.join(', ')}`;
}

/**
 * The list as docs/OPERATIONS.md shows it (a table, then the commands), for `names` and
 * `grantee`: required-acls.spec.ts checks the docs hold exactly this, so they cannot drift.
 */
export function aclDocs(names: AclNames, grantee: AclGrantee): string {
  const acls = requiredAcls(names);
  const rows = acls.map((acl) => {
    const on = acl.resources
      .map((r) => `${r.type} \`${r.name}\`${r.pattern === 'prefixed' ? ' (prefix)' : ''}`)
      .join(', ');
    return `| ${acl.operation} | ${on} | ${acl.required ? 'yes' : 'no'} | ${acl.purpose} |`;
  });
  const commands = acls.map((acl) => kafkaAclsCommand(acl, grantee, ' \\\n  '));
  return [
    '| operation | on | required | what for |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '```bash',
    ...commands,
    '```',
  ].join('\n');
}
