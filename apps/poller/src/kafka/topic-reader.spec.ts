import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { topicOffsets } from './topic-reader.js';

/** A kafkajs admin factory whose fetchTopicOffsets answers `answers` in turn, one per admin. */
function admins(answers: Array<() => Promise<unknown>>) {
  const made: Array<{ disconnect: jest.Mock }> = [];
  const kafka = {
    admin: () => {
      const answer = answers[made.length] ?? answers[answers.length - 1];
      const admin = {
        connect: () => Promise.resolve(),
        disconnect: jest.fn(() => Promise.resolve()),
        fetchTopicOffsets: answer,
      };
      made.push(admin);
      return admin;
    },
  } as unknown as Kafka;
  return { kafka, made };
}

/** As kafkajs's KafkaJSProtocolError carries it: the Kafka error's name as `type`. */
const notLeader = () =>
  Promise.reject(
    Object.assign(new Error('This server is not the leader for that topic-partition'), {
      type: 'NOT_LEADER_FOR_PARTITION',
      code: 6,
    }),
  );
const offsets = [{ partition: 0, offset: '5', high: '5', low: '0' }];
const noSleep = () => Promise.resolve();

describe('topicOffsets', () => {
  it('asks again, with a new admin, while the partition’s leadership moves', async () => {
    const { kafka, made } = admins([notLeader, notLeader, () => Promise.resolve(offsets)]);
    await expect(topicOffsets(kafka, 't', 10_000, noSleep)).resolves.toEqual(offsets);
    expect(made).toHaveLength(3);
    for (const admin of made) expect(admin.disconnect).toHaveBeenCalled();
  });

  it('fails at once on anything else, and after its time on a move that does not end', async () => {
    const denied = () => Promise.reject(new Error('TOPIC_AUTHORIZATION_FAILED'));
    await expect(topicOffsets(admins([denied]).kafka, 't', 10_000, noSleep)).rejects.toThrow(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    const stuck = admins([notLeader]);
    await expect(topicOffsets(stuck.kafka, 't', 0, noSleep)).rejects.toThrow('not the leader');
  });
});
