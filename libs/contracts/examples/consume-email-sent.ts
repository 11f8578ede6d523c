import { Kafka } from 'kafkajs';
import {
  DEFAULT_TOPICS,
  decodeEmailSent,
  type EmailSentEvent,
} from '@wolkvox-email-events/contracts';

/**
 * A subscriber: decodes every message into a typed email.sent event, reports what it cannot
 * decode, and handles each email once even when Kafka delivers it again (after a rebalance, or
 * a replay from an older offset). Returns a function that stops it.
 */
export async function consumeEmailSent(
  brokers: string[],
  handle: (event: EmailSentEvent) => Promise<void>,
  { topic, groupId }: { topic?: string; groupId?: string } = {},
): Promise<() => Promise<void>> {
  const kafka = new Kafka({ clientId: 'email-sent-subscriber', brokers });
  // read_committed (kafkajs' default): never see events of a publish the poller aborted.
  const consumer = kafka.consumer({
    groupId: groupId ?? 'email-sent-subscriber',
    readUncommitted: false,
  });
  // Kept in memory to stay short. A real subscriber stores `id` under a unique constraint, in
  // the same transaction as the side effect of `handle`.
  const handled = new Set<string>();

  await consumer.connect();
  await consumer.subscribe({ topics: [topic ?? DEFAULT_TOPICS.events], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const decoded = decodeEmailSent(message);
      if (!decoded.ok) {
        console.error(`partition ${partition} offset ${message.offset}: ${decoded.error}`);
        return;
      }
      const { event } = decoded;
      if (handled.has(event.id)) return;
      await handle(event);
      handled.add(event.id);
    },
  });
  return () => consumer.disconnect();
}
