import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';

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

/**
 * Creates the topics that are missing, with the given partitions, replication and configs; for
 * topics that exist, checks the settings the poller's guarantees depend on (the progress topic
 * must be compacted) and reports any other difference without changing a topic someone may have
 * tuned on purpose.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
): Promise<{ created: string[]; warnings: string[] }> {
  const existing = new Set(await admin.listTopics());
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
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  }
  const present = specs.filter((s) => existing.has(s.topic));
  const warnings: string[] = [];
  if (present.length) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.topic,
        configNames: Object.keys(s.config),
      })),
    });
    for (const resource of described.resources) {
      const spec = present.find((s) => s.topic === resource.resourceName)!;
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
  return { created: missing.map((s) => s.topic), warnings };
}
