/**
 * How large a message the poller may send to a topic: the smaller of EVENTS_MAX_MESSAGE_BYTES
 * and what the topic accepts. Pure decisions; the publisher holds the state.
 *
 * A topic created by an admin with the broker's defaults accepts about 1 MB, not the 8 MiB the
 * poller creates its own with. An event sized by the configuration alone is then refused, its
 * whole window fails, is read again and fails again: the stream stops for good. So the limit is
 * the topic's `max.message.bytes` where the poller may describe the topic, and where it may not,
 * it is learnt from the first "message too large" answer.
 */

/** Kafka's default `max.message.bytes` (`message.max.bytes`): 1 MiB plus the log overhead. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * The limit is never lowered below this: the dead letter of an oversize event (64 KiB of the
 * body and the rest of the record) must still fit, or nothing of that email could be published.
 */
export const MIN_MESSAGE_LIMIT = 128 * 1024;

/** The errors with which a broker refuses a record batch for its size. */
export const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The limit at start: the configured one, lowered to the topic's where it was described. */
export function startLimit(configured: number, topicLimit: number | undefined): number {
  return topicLimit !== undefined && topicLimit > 0 ? Math.min(configured, topicLimit) : configured;
}

/**
 * The limit after a topic refused a message as too large (Kafka does not say its limit, nor
 * which topic): first the broker's default, which is what a topic created without settings has;
 * below that, half, so that a topic with a smaller limit is found in a few failed windows.
 * Undefined when it cannot go lower.
 */
export function limitAfterRefusal(current: number): number | undefined {
  if (current > KAFKA_DEFAULT_MAX_MESSAGE_BYTES) return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  const half = Math.floor(current / 2);
  return half >= MIN_MESSAGE_LIMIT ? half : undefined;
}
