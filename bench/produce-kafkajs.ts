/**
 * Baseline: a bare kafkajs producer sending the workload's pre-built events (read from the
 * message file before the clock starts), idempotent with acks=all, optionally in one
 * transaction. Started by run.ts as `node dist/bench/produce-kafkajs.js`.
 */
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { childInput, reportAndExit } from './child-script.js';
import { readMessages } from './encoded-events.js';
import type { Measurement } from './measurement.js';
import { selfUsage } from './process-stats.js';

export interface ProduceInput {
  brokers: string[];
  topic: string;
  messageFile: string;
  transactionalId?: string;
  /** Bytes of messages per sendBatch, as the poller's publisher bounds its requests. */
  maxRequestBytes: number;
  gzip: boolean;
  /** sendBatch calls started before the oldest is awaited (non-transactional only; default 1). */
  inFlight?: number;
}

async function main(): Promise<void> {
  const input = childInput<ProduceInput>();
  const messages: Message[] = readMessages(input.messageFile);
  const kafka = new Kafka({
    clientId: 'bench-baseline',
    brokers: input.brokers,
    logLevel: logLevel.WARN,
  });
  const transactional = input.transactionalId !== undefined;
  const producer = kafka.producer({
    // The poller's partitioner (kafkajs's default), named so kafkajs does not warn about it.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    ...(transactional ? { transactionalId: input.transactionalId, maxInFlightRequests: 1 } : {}),
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  if (transactional) {
    // The poller claims its transactional id before its first API call; so does the baseline
    // before its clock starts.
    await (await producer.transaction()).abort();
  }
  const compression = input.gzip ? CompressionTypes.GZIP : CompressionTypes.None;
  const before = selfUsage();
  const started = performance.now();
  const sender = transactional ? await producer.transaction() : producer;
  const inFlight = transactional ? 1 : (input.inFlight ?? 1);
  const pending: Array<Promise<unknown>> = [];
  let batch: Message[] = [];
  let bytes = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    pending.push(
      sender.sendBatch({
        topicMessages: [{ topic: input.topic, messages: batch }],
        acks: -1,
        compression,
      }),
    );
    batch = [];
    bytes = 0;
    if (pending.length >= inFlight) await pending.shift();
  };
  for (const message of messages) {
    const size = 64 + (message.key as Buffer).length + (message.value as Buffer).length;
    if (bytes > 0 && bytes + size > input.maxRequestBytes) await flush();
    batch.push(message);
    bytes += size;
    total += size - 64;
  }
  if (batch.length) await flush();
  await Promise.all(pending);
  if (transactional) await (sender as Awaited<ReturnType<typeof producer.transaction>>).commit();
  const seconds = (performance.now() - started) / 1000;
  const after = selfUsage();
  await producer.disconnect();
  const result: Measurement = {
    tool: transactional ? 'kafkajs-transactional' : 'kafkajs-idempotent',
    records: messages.length,
    bytes: total,
    seconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
  };
  reportAndExit(result);
}

await main();
