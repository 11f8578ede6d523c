/**
 * One window's events published the way the poller publishes them: through
 * KafkaTransactionalPublisher (claim, then one transaction holding every event), with the
 * options under test. Started by publisher-tuning.ts as `node dist/bench/publish-batch.js`.
 */
import type { Topics } from '@app/contracts';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { KafkaTransactionalPublisher } from '../apps/poller/src/kafka/transactional-publisher.js';
import { childInput, reportAndExit } from './child-script.js';
import { readMessages } from './encoded-events.js';
import type { Measurement } from './measurement.js';
import { selfUsage } from './process-stats.js';

export interface PublishInput {
  brokers: string[];
  topics: Topics;
  messageFile: string;
  /** Undefined: the publisher's default. */
  maxRequestBytes?: number;
  gzip: boolean;
}

async function main(): Promise<void> {
  const input = childInput<PublishInput>();
  const events = readMessages(input.messageFile).map((m) => ({
    key: m.key.toString(),
    value: m.value,
    headers: m.headers,
  }));
  const kafka = new Kafka({
    clientId: 'bench-publisher',
    brokers: input.brokers,
    logLevel: logLevel.WARN,
  });
  const publisher = new KafkaTransactionalPublisher(kafka, {
    topics: input.topics,
    transactionalId: `${input.topics.events}.publisher`,
    maxEventBytes: 8 * 1024 * 1024,
    ...(input.maxRequestBytes !== undefined ? { maxRequestBytes: input.maxRequestBytes } : {}),
    ...(input.gzip ? { compression: CompressionTypes.GZIP } : {}),
  });
  await publisher.claim();
  const before = selfUsage();
  const started = performance.now();
  await publisher.publish({ events, deadLetters: [] });
  const seconds = (performance.now() - started) / 1000;
  const after = selfUsage();
  await publisher.close();
  const result: Measurement = {
    tool: 'kafkajs-transactional',
    records: events.length,
    bytes: events.reduce((sum, e) => sum + e.key.length + e.value.length, 0),
    seconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
  };
  reportAndExit(result);
}

await main();
