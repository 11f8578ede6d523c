import { authorizationFailure, KafkaAuthorizationError } from './authorization-failure.js';

const grantee = { principal: 'User:poller', bootstrap: 'kafka-1:9092' };
const transaction = {
  kind: 'transaction' as const,
  transactionalId: 'wolkvox-poller-0010',
  topics: ['events', 'dead', 'progress'],
};
/** A kafkajs protocol error as it comes out of a producer or consumer. */
const kafkaError = (type: string, message = 'refused') =>
  Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type });
const coordinatorNotFound = () =>
  Object.assign(new Error('Failed to find group coordinator'), {
    name: 'KafkaJSGroupCoordinatorNotFound',
  });

describe('authorizationFailure: the missing ACL behind a Kafka refusal, in one line', () => {
  it('names Write on the transactional id, with the command, for TRANSACTIONAL_ID_AUTHORIZATION_FAILED', () => {
    const error = authorizationFailure(
      kafkaError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'),
      transaction,
      grantee,
    );
    expect(error).toBeInstanceOf(KafkaAuthorizationError);
    expect(error!.message).toBe(
      'Kafka refused Write on transactional-id wolkvox-poller-0010 to User:poller (transactions); grant it: kafka-acls --bootstrap-server kafka-1:9092 --command-config admin.properties --add --allow-principal User:poller --operation Write --transactional-id wolkvox-poller-0010',
    );
    expect(error!.message).not.toMatch(/fenced|took over/);
    expect(error!.message).not.toContain('\n');
  });

  it('reads a coordinator kafkajs could not find as the transactional id refused, saying the other cause', () => {
    const error = authorizationFailure(coordinatorNotFound(), transaction, grantee);
    expect(error!.message).toMatch(
      /^Kafka refused Write on transactional-id wolkvox-poller-0010 .*, or no transaction coordinator answers; grant it: kafka-acls .* --transactional-id wolkvox-poller-0010$/,
    );
  });

  it('names Write on the topics for a producer refused on a topic or its idempotent producer id', () => {
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']) {
      // kafkajs wraps what it gave up retrying.
      const wrapped = Object.assign(new Error('gave up'), { originalError: kafkaError(type) });
      expect(authorizationFailure(wrapped, transaction, grantee)!.message).toContain(
        'Kafka refused Write on topic events, topic dead, topic progress to User:poller (producing); grant it: kafka-acls --bootstrap-server kafka-1:9092 --command-config admin.properties --add --allow-principal User:poller --operation Write --topic events --topic dead --topic progress',
      );
    }
  });

  it('names Read on the topic, or on the reader groups, for a refused read', () => {
    const read = { kind: 'read' as const, topic: 'progress' };
    expect(
      authorizationFailure(kafkaError('TOPIC_AUTHORIZATION_FAILED'), read, grantee)!.message,
    ).toContain('Kafka refused Read on topic progress to User:poller (reading progress)');
    const group = authorizationFailure(coordinatorNotFound(), read, grantee)!.message;
    expect(group).toContain('Kafka refused Read on group reader-* to User:poller');
    expect(group).toContain('--operation Read --group reader- --resource-pattern-type prefixed');
  });

  it('leaves other errors alone, fencing included', () => {
    for (const type of ['PRODUCER_FENCED', 'MESSAGE_TOO_LARGE', 'NOT_LEADER_OR_FOLLOWER'])
      expect(authorizationFailure(kafkaError(type), transaction, grantee)).toBeUndefined();
    expect(
      authorizationFailure(new Error('ECONNREFUSED'), { kind: 'read', topic: 'p' }, grantee),
    ).toBeUndefined();
  });
});
