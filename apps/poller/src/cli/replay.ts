import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { readTopicToEnd } from '../kafka/topic-reader.js';
import { decodeLine, jsonLine, tableLines, type ReplayTopicKind } from './replay-format.js';

export type ReplayStart =
  | { kind: 'beginning' }
  /** Only the partitions named are read. */
  | { kind: 'offsets'; offsets: Record<number, string> }
  /** The first message of each partition the broker stamped at or after this instant. */
  | { kind: 'since'; at: Date };

export interface ReplayOptions {
  topic: string;
  kind: ReplayTopicKind;
  start: ReplayStart;
  format: 'json' | 'table';
  /** Keep printing new messages until `signal` aborts, instead of stopping at the end. */
  follow: boolean;
  signal?: AbortSignal;
  write: (line: string) => void;
}

/** Where each partition starts, from the topic's offsets now. */
export async function startOffsets(
  admin: Admin,
  topic: string,
  start: ReplayStart,
): Promise<Record<number, string>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const result: Record<number, string> = {};
  switch (start.kind) {
    case 'beginning':
      for (const o of offsets) result[o.partition] = o.low;
      break;
    case 'offsets': {
      for (const o of offsets) result[o.partition] = o.high;
      for (const [partition, offset] of Object.entries(start.offsets)) {
        const known = offsets.find((o) => o.partition === Number(partition));
        if (!known) throw new Error(`--offset: ${topic} has no partition ${partition}`);
        // Below the log start the messages are gone: start at the first that remains.
        result[known.partition] = BigInt(offset) < BigInt(known.low) ? known.low : offset;
      }
      break;
    }
    case 'since': {
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, start.at.getTime());
      for (const o of offsets) {
        const at = found.find((f) => f.partition === o.partition)?.offset;
        // -1: no message that late; the partition starts at its end.
        result[o.partition] = at === undefined || at === '-1' ? o.high : at;
      }
      break;
    }
  }
  return result;
}

/**
 * Prints the topic's committed messages (read_committed) from the start asked for, each decoded
 * with the contracts lib, to the end the topic had when the replay began, or on and on with
 * `follow`. Returns how many messages were printed and how many failed to decode.
 */
export async function replay(
  kafka: Kafka,
  options: ReplayOptions,
): Promise<{ messages: number; undecodable: number }> {
  const admin = kafka.admin();
  await admin.connect();
  let from: Record<number, string>;
  try {
    from = await startOffsets(admin, options.topic, options.start);
  } finally {
    await admin.disconnect();
  }
  const counts = { messages: 0, undecodable: 0 };
  let shownZone: string | undefined;
  const print = (partition: number, offset: string, message: Parameters<typeof decodeLine>[3]) => {
    const line = decodeLine(options.kind, partition, offset, message);
    counts.messages++;
    if (line.error !== undefined) counts.undecodable++;
    if (options.format === 'json') return options.write(jsonLine(line));
    const table = tableLines(options.kind, line, shownZone);
    shownZone = table.zone;
    for (const text of table.lines) options.write(text);
  };
  if (!options.follow) {
    await readTopicToEnd(kafka, options.topic, {
      fromOffsets: from,
      timeoutMs: 15 * 60_000,
      onMessage: ({ partition, offset, message }) => print(partition, offset, message),
    });
    return counts;
  }
  await follow(kafka, options.topic, from, print, options.signal);
  return counts;
}

async function follow(
  kafka: Kafka,
  topic: string,
  from: Record<number, string>,
  print: (partition: number, offset: string, message: Parameters<typeof decodeLine>[3]) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  // A group of its own that commits nothing: a replay never moves anyone's offsets.
  const consumer = kafka.consumer({
    groupId: `replay-${topic}-${randomUUID()}`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
  });
  // The start offsets are set when the group is first joined, not right after run(): on a fresh
  // broker the join fails at first ("The coordinator is loading") and kafkajs restarts the
  // consumer, and a seek in between throws "Consumer group was not initialized".
  let positioned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (positioned) return;
    positioned = true;
    for (const [partition, offset] of Object.entries(from)) {
      consumer.seek({ topic, partition: Number(partition), offset });
    }
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        print(partition, message.offset, message);
        return Promise.resolve();
      },
    });
    await new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await consumer.disconnect();
  }
}
