import type { Kafka } from 'kafkajs';
import { readTopicToEnd, topicOffsets } from '../kafka/topic-reader.js';

export interface PublishedKeys {
  keys: Set<string>;
  /** Messages read and their bytes (keys and values): what finding the keys cost. */
  messages: number;
  bytes: number;
}

/**
 * Every key a topic holds among the messages appended since `sinceMs` (read_committed), from the
 * offsets the broker finds for that timestamp on each partition; without `sinceMs`, every key
 * it holds (the CLI's backfill, which may reach back to the retention's start).
 *
 * Why a timestamp bounds it: an email is published after it was sent, so each one dated inside
 * a pass's range was appended after the range started; the caller takes a margin for clocks.
 * Reading from there rather than from the beginning keeps a pass's read to the days it checks
 * (about 4 days of events at the default 3) instead of the whole retention (90 days).
 */
export async function publishedKeysSince(
  kafka: Kafka,
  topic: string,
  sinceMs: number | undefined,
  timeoutMs = 300_000,
): Promise<PublishedKeys> {
  const fromOffsets = sinceMs === undefined ? {} : await offsetsAt(kafka, topic, sinceMs);
  const result: PublishedKeys = { keys: new Set(), messages: 0, bytes: 0 };
  await readTopicToEnd(kafka, topic, {
    fromOffsets,
    timeoutMs,
    onMessage: ({ message }) => {
      result.messages++;
      result.bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
      if (message.key) result.keys.add(message.key.toString());
    },
  });
  return result;
}

/** Each partition's first offset at or after `sinceMs`, or its end when it has none. */
async function offsetsAt(
  kafka: Kafka,
  topic: string,
  sinceMs: number,
): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
    // -1: no message at or after the timestamp; the partition's end then bounds the read.
    const ends = await topicOffsets(kafka, topic);
    return Object.fromEntries(
      found.map(({ partition, offset }) => [
        partition,
        offset === '-1' ? ends.find((e) => e.partition === partition)!.high : offset,
      ]),
    );
  } finally {
    await admin.disconnect();
  }
}
