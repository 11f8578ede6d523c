import type { Admin } from 'kafkajs';
import { kafkaErrorTypes } from './kafka-errors.js';

/** What a broker answers about a topic it has created but not yet taken up: ask again. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until every partition of `topics` has a leader: what kafkajs's
 * `createTopics({ waitForLeaders: true })` means to do, without its flaw. It retries only
 * LEADER_NOT_AVAILABLE, while a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION ("This server
 * does not host this topic-partition") until it has applied the topic's creation from the
 * metadata log, which on a loaded machine takes long enough to fail the call (seen in CI).
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = topics.every((name) => {
        const partitions = described.find((t) => t.name === name)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
      });
      if (led) return;
    } catch (error) {
      if (!kafkaErrorTypes(error).some((type) => NOT_YET.has(type))) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `no leader for every partition of ${topics.join(', ')} after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `admin.createTopics(options)`, then waitForTopicLeaders instead of its `waitForLeaders`.
 * Resolves false when every topic already existed, as createTopics does.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  options: Parameters<Admin['createTopics']>[0],
): Promise<boolean> {
  const created = await admin.createTopics({ ...options, waitForLeaders: false });
  await waitForTopicLeaders(
    admin,
    options.topics.map((t) => t.topic),
  );
  return created;
}
