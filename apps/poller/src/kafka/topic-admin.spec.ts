import { jest } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { ensureTopics, TopicMismatchError, type TopicSpec } from './topic-admin.js';

const events: TopicSpec = {
  topic: 'events',
  partitions: 3,
  replicationFactor: 1,
  config: { 'cleanup.policy': 'delete', 'max.message.bytes': '8388608' },
};
const progress: TopicSpec = {
  topic: 'progress',
  partitions: 1,
  replicationFactor: 1,
  config: { 'cleanup.policy': 'compact' },
};

/** A kafkajs Admin stand-in with the calls ensureTopics makes. */
function fakeAdmin(existing: Record<string, Record<string, string>>, refuse?: 'describe') {
  const createTopics = jest.fn(() => Promise.resolve(true));
  const admin = {
    listTopics: () => Promise.resolve(Object.keys(existing)),
    createTopics,
    fetchTopicMetadata: ({ topics }: { topics: string[] }) =>
      Promise.resolve({ topics: topics.map((name) => ({ name, partitions: [{ leader: 1 }] })) }),
    describeConfigs: ({ resources }: { resources: Array<{ name: string }> }) =>
      refuse === 'describe'
        ? Promise.reject(
            Object.assign(
              new Error('Not authorized to access topics: [Topic authorization failed]'),
              {
                type: 'TOPIC_AUTHORIZATION_FAILED',
              },
            ),
          )
        : Promise.resolve({
            resources: resources.map((r) => ({
              resourceName: r.name,
              configEntries: Object.entries(existing[r.name]).map(([configName, configValue]) => ({
                configName,
                configValue,
              })),
            })),
          }),
  };
  return { admin: admin as unknown as Admin, createTopics };
}

describe('ensureTopics', () => {
  it('creates the missing topics with their partitions, replication and configs', async () => {
    const { admin, createTopics } = fakeAdmin({});
    await expect(ensureTopics(admin, [events, progress])).resolves.toEqual({
      created: ['events', 'progress'],
      warnings: [],
      maxMessageBytes: { events: 8388608 },
    });
    expect(createTopics).toHaveBeenCalledWith({
      waitForLeaders: false,
      topics: [
        {
          topic: 'events',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'max.message.bytes', value: '8388608' },
          ],
        },
        {
          topic: 'progress',
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  });

  it('leaves existing topics alone, warning about settings that differ', async () => {
    const { admin, createTopics } = fakeAdmin({
      events: { 'cleanup.policy': 'delete', 'max.message.bytes': '1048588' },
      progress: { 'cleanup.policy': 'compact' },
    });
    const result = await ensureTopics(admin, [events, progress]);
    expect(createTopics).not.toHaveBeenCalled();
    expect(result.warnings).toEqual([
      'topic events has max.message.bytes=1048588, the poller would create it with 8388608',
    ]);
    // What the topic accepts bounds the events, whatever the poller would have created.
    expect(result.maxMessageBytes).toEqual({ events: 1048588 });
  });

  it('warns once, naming the ACL and its command, when it may not describe the topics', async () => {
    const { admin } = fakeAdmin(
      { events: {}, progress: { 'cleanup.policy': 'delete' } },
      'describe',
    );
    const grantee = { principal: 'User:poller', bootstrap: 'kafka-1:9092' };
    const result = await ensureTopics(admin, [events, progress], grantee);
    expect(result.maxMessageBytes).toEqual({});
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(
      'Kafka refused DescribeConfigs on topic events, topic progress to User:poller',
    );
    expect(result.warnings[0]).toContain(
      'kafka-acls --bootstrap-server kafka-1:9092 --command-config admin.properties --add --allow-principal User:poller --operation DescribeConfigs --topic events --topic progress',
    );
  });

  it('names the missing topics when Kafka refuses to create them', async () => {
    const { admin, createTopics } = fakeAdmin({});
    createTopics.mockRejectedValue(
      Object.assign(new Error('Topic authorization failed'), {
        type: 'TOPIC_AUTHORIZATION_FAILED',
      }),
    );
    await expect(ensureTopics(admin, [events])).rejects.toThrow(
      /topics events are missing or not visible to .*create them beforehand/,
    );
  });

  it('refuses a progress topic that is not compacted', async () => {
    const { admin } = fakeAdmin({ progress: { 'cleanup.policy': 'delete' } });
    await expect(ensureTopics(admin, [progress])).rejects.toThrow(TopicMismatchError);
  });
});
