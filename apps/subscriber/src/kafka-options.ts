import type { KafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import type { SubscriberConfig } from './config.js';

/**
 * The `@nestjs/microservices` Kafka transport's options. ServerKafka hands `consumer` to
 * kafkajs' `kafka.consumer()` as it is, and `run` to `consumer.run()`.
 */
export function kafkaOptions(config: SubscriberConfig): KafkaOptions['options'] {
  return {
    client: { clientId: config.groupId, brokers: config.brokers },
    // Nest appends "-server" to the group and client ids by default; the README's group is the
    // group Kafka sees (and the one `kafka-consumer-groups` resets).
    postfixId: '',
    consumer: {
      groupId: config.groupId,
      // read_committed: the poller publishes in transactions and aborts some (a window read cut
      // short); their records stay in the log and only a read_committed reader skips them.
      readUncommitted: false,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.floor(config.sessionTimeoutMs / 3),
    },
    // The parking producer: kafkajs 2's default partitioner, said so to silence its warning.
    producer: { createPartitioner: Partitioners.DefaultPartitioner },
    subscribe: { fromBeginning: config.fromBeginning },
    // Offsets are committed by the handler, after the event is handled (see EmailSentController).
    run: { autoCommit: false },
    // The value's bytes as they came: decodeEmailSent checks UTF-8 and JSON itself, and Nest's
    // default parser would turn them into an object first. (Keys and headers still come as text.)
    parser: { keepBinary: true },
  };
}
