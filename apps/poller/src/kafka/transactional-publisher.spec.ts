import type { Kafka } from 'kafkajs';
import { FencedError } from '../ports/event-publisher.port.js';
import { KafkaAuthorizationError } from './authorization-failure.js';
import { KafkaTransactionalPublisher } from './transactional-publisher.js';

const topics = { events: 'ev', deadLetters: 'dl', progress: 'pr' };
const kafkaError = (type: string) =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });

/** A kafkajs client stand-in whose producers fail their first transaction() with `error`. */
function kafkaFailing(error: Error): Kafka {
  return {
    producer: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      transaction: () => Promise.reject(error),
    }),
  } as unknown as Kafka;
}

function publisher(
  kafka: Kafka,
  prepare?: () => Promise<{ maxMessageBytes: Record<string, number> }>,
) {
  return new KafkaTransactionalPublisher(kafka, {
    topics,
    transactionalId: 'wolkvox-poller-0010',
    maxEventBytes: 8_388_608,
    grantee: { principal: 'User:poller', bootstrap: 'k:9092' },
    ...(prepare ? { prepare } : {}),
  });
}

describe('KafkaTransactionalPublisher', () => {
  it('takes TRANSACTIONAL_ID_AUTHORIZATION_FAILED for a missing ACL, not for fencing', async () => {
    const refused = publisher(kafkaFailing(kafkaError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')));
    const error = await refused.claim().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaAuthorizationError);
    expect((error as Error).message).toContain(
      '--operation Write --transactional-id wolkvox-poller-0010',
    );
    // Not fenced for good: the next claim tries again (and fails the same way until granted).
    await expect(refused.claim()).rejects.toBeInstanceOf(KafkaAuthorizationError);
  });

  it('is fenced by PRODUCER_FENCED', async () => {
    const fenced = publisher(kafkaFailing(kafkaError('PRODUCER_FENCED')));
    await expect(fenced.claim()).rejects.toBeInstanceOf(FencedError);
  });

  it("sizes events by the topics' limits learnt at start, and lowers them when a topic refuses one", async () => {
    const learnt = publisher(kafkaFailing(kafkaError('MESSAGE_TOO_LARGE')), () =>
      Promise.resolve({ maxMessageBytes: { ev: 1_048_588 } }),
    );
    await learnt.prepare();
    expect([learnt.maxEventBytes(), learnt.maxDeadLetterBytes()]).toEqual([1_048_588, 8_388_608]);

    const refused = publisher(kafkaFailing(kafkaError('MESSAGE_TOO_LARGE')));
    await expect(refused.claim()).rejects.toThrow(
      /over 1048588 bytes goes to the dead-letter topic/,
    );
    expect([refused.maxEventBytes(), refused.maxDeadLetterBytes()]).toEqual([1_048_588, 1_048_588]);
  });
});
