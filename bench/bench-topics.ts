import type { Admin } from 'kafkajs';
import { loadConfig, type PollerConfig } from '../apps/poller/src/config/poller-config.js';
import { ensureTopics } from '../apps/poller/src/kafka/topic-admin.js';
import { topicSpecs } from '../apps/poller/src/kafka/topic-specs.js';

/** The poller's configuration for an environment; throws on any problem. */
export function pollerConfig(env: Record<string, string>): PollerConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`bad poller configuration:\n${result.problems.join('\n')}`);
  return result.config;
}

/**
 * Creates `topic` the way the poller creates its events topic from the same environment
 * (partitions, max.message.bytes, min.insync.replicas), so the baselines write to a topic
 * configured like the poller's.
 */
export async function createEventsTopicLikePoller(
  admin: Admin,
  env: Record<string, string>,
  topic: string,
): Promise<void> {
  const config = pollerConfig({ ...env, EMAIL_SENT_TOPIC: topic });
  const events = topicSpecs(config).find((spec) => spec.topic === topic)!;
  await ensureTopics(admin, [events]);
}

/** Deletes what a measurement wrote: the broker's disk holds a few GB per full run otherwise. */
export async function deleteTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length) await admin.deleteTopics({ topics: present, timeout: 60_000 });
}
