import type { PollerConfig } from '../config/poller-config.js';
import type { TopicSpec } from './topic-admin.js';

/**
 * The three topics as the poller creates them when missing (documented in the README):
 * - events and dead letters: `KAFKA_PARTITIONS` partitions (keys spread them; order between
 *   emails carries no meaning), retention by time, `max.message.bytes` raised to
 *   `EVENTS_MAX_MESSAGE_BYTES` so large HTML emails fit, and an explicit `retention.ms`
 *   (`EVENTS_RETENTION_MS`, `DEAD_LETTER_RETENTION_MS`) so a replay from the beginning reaches
 *   as far back as documented, whatever the broker's default;
 * - progress: one partition, compacted: only the latest checkpoint per key matters.
 * `min.insync.replicas` follows the replication factor so acks=all means what it says.
 */
export function topicSpecs(config: PollerConfig): TopicSpec[] {
  const rf = config.kafka.replicationFactor;
  const minIsr = String(Math.max(1, Math.min(2, rf - 1)));
  const maxBytes = String(config.kafka.eventsMaxMessageBytes);
  // Events and dead letters are histories to replay: same shape, deleted only by retention.
  const history = (topic: string, retentionMs: number): TopicSpec => ({
    topic,
    partitions: config.kafka.partitions,
    replicationFactor: rf,
    config: {
      'cleanup.policy': 'delete',
      'max.message.bytes': maxBytes,
      'min.insync.replicas': minIsr,
      'retention.ms': String(retentionMs),
    },
  });
  return [
    history(config.topics.events, config.kafka.eventsRetentionMs),
    history(config.topics.deadLetters, config.kafka.deadLetterRetentionMs),
    {
      topic: config.topics.progress,
      partitions: 1,
      replicationFactor: rf,
      config: {
        'cleanup.policy': 'compact',
        'min.insync.replicas': minIsr,
        'segment.ms': '3600000',
      },
    },
  ];
}
