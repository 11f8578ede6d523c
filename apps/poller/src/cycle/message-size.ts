import type { OutgoingMessage } from '../ports/event-publisher.port.js';

/** A record batch's header (magic 2): what Kafka counts before the first record. */
const BATCH_HEADER_BYTES = 61;
/** A record's own fields at their widest varints: length, attributes, deltas, lengths, count. */
const RECORD_OVERHEAD_BYTES = 36;
/** A header's two length varints at their widest. */
const HEADER_OVERHEAD_BYTES = 10;

/**
 * The bytes a message takes as a record batch of its own, uncompressed, at most: what a topic's
 * `max.message.bytes` bounds (Kafka checks each batch, so a message that passes this check on
 * its own may still be refused only if it shares a batch, which the publisher's request bound
 * prevents). Counting the value alone would let a message a few hundred bytes under the limit
 * through to be refused.
 */
export function recordBatchBytes(message: OutgoingMessage): number {
  let bytes = BATCH_HEADER_BYTES + RECORD_OVERHEAD_BYTES;
  bytes += Buffer.byteLength(message.key) + message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}
