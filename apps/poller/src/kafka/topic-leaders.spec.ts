import type { Admin } from 'kafkajs';
import { waitForTopicLeaders } from './topic-leaders.js';

/** An admin whose metadata answers come from `answers` in turn (the last one repeats). */
function adminAnswering(answers: Array<Error | number>) {
  let calls = 0;
  const admin = {
    fetchTopicMetadata: ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({
        topics: topics.map((name) => ({ name, partitions: [{ leader: answer }] })),
      });
    },
  };
  return { admin: admin as unknown as Admin, calls: () => calls };
}

const kafkaError = (type: string) => Object.assign(new Error(type), { type });

describe('waitForTopicLeaders', () => {
  it('asks again while the broker has not taken the topic up, until each partition has a leader', async () => {
    const { admin, calls } = adminAnswering([
      kafkaError('UNKNOWN_TOPIC_OR_PARTITION'),
      kafkaError('LEADER_NOT_AVAILABLE'),
      -1,
      1,
    ]);
    await waitForTopicLeaders(admin, ['events']);
    expect(calls()).toBe(4);
  });

  it('fails at once on any other error, and after its time without a leader', async () => {
    await expect(
      waitForTopicLeaders(adminAnswering([kafkaError('TOPIC_AUTHORIZATION_FAILED')]).admin, ['t']),
    ).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    await expect(waitForTopicLeaders(adminAnswering([-1]).admin, ['t'], 250)).rejects.toThrow(
      'no leader for every partition of t after 250 ms',
    );
  });
});
