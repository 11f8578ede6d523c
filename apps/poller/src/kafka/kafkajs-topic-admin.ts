import kafkajs, { type Admin } from 'kafkajs';
import type { TopicAdmin } from './kafka-client.js';
import { createTopicsWithLeaders } from './topic-leaders.js';

// kafkajs is CommonJS; Node's ESM loader sees only some of its exports by name (see eslint.config.mjs).
const { ConfigResourceTypes } = kafkajs;

/** kafkajs's admin (connected) behind the client-neutral TopicAdmin. */
export function kafkajsTopicAdmin(admin: Admin): TopicAdmin {
  return {
    listTopics: () => admin.listTopics(),
    async createTopics(specs) {
      await createTopicsWithLeaders(admin, {
        topics: specs.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
          configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
        })),
      });
    },
    async describeTopicConfigs(topics, names) {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: names,
        })),
      });
      return described.resources.map((resource) => ({
        topic: resource.resourceName,
        configs: Object.fromEntries(
          resource.configEntries.map((e) => [e.configName, e.configValue] as const),
        ),
      }));
    },
    disconnect: () => admin.disconnect(),
  };
}
