/**
 * Memory profile of one poll cycle with the poller's own code: the Wolkvox client's streaming
 * read into the cycle's WindowWriter (map, drop seen keys, send in the open transaction) and the
 * commit, against the bench's broker. Before and after, a full GC (--expose-gc) leaves only what
 * is still referenced; during the read, the heap and RSS are sampled every 2,000 records
 * (without a GC: what the read holds at its largest, garbage included). The process's peak RSS
 * so far shows which step raised it. Started by profile-run.ts as
 * `node --expose-gc dist/bench/cycle-memory.js` (BENCH_PROFILE=memory).
 */
import { DailyRequestBudget, WolkvoxClient } from '@app/wolkvox-client';
import { kafkaConfigFrom } from '../apps/poller/src/kafka/kafka-factory.js';
import { ensureTopics } from '../apps/poller/src/kafka/topic-admin.js';
import { KafkaTransactionalPublisher } from '../apps/poller/src/kafka/transactional-publisher.js';
import { WindowWriter } from '../apps/poller/src/cycle/window-writer.js';
import { topicSpecs } from '../apps/poller/src/kafka/topic-specs.js';
import { Kafka } from 'kafkajs';
import { pollerConfig } from './bench-topics.js';
import { childInput, reportAndExit } from './child-script.js';

export interface CycleMemoryInput {
  /** The poller's environment (topics, broker, simulator URL, token). */
  env: Record<string, string>;
  window: { from: number; to: number };
}

export interface PhaseMemory {
  phase: string;
  ms: number;
  /** What is still referenced after the phase and a full GC (or, for the read, its largest). */
  heapUsedMb: number;
  externalMb: number;
  rssMb: number;
  /** The process's peak RSS from its start to the end of this phase. */
  peakRssMb: number;
}

export interface CycleMemoryResult {
  phases: PhaseMemory[];
  records: number;
  messages: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  const { env, window } = childInput<CycleMemoryInput>();
  const config = pollerConfig(env);
  const phases: PhaseMemory[] = [];
  let started = performance.now();
  const measure = (phase: string): void => {
    const ms = performance.now() - started;
    gc();
    gc();
    const usage = process.memoryUsage();
    phases.push({
      phase,
      ms: Math.round(ms),
      heapUsedMb: usage.heapUsed / 1e6,
      externalMb: usage.external / 1e6,
      rssMb: usage.rss / 1e6,
      peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
    });
    started = performance.now();
  };

  const kafka = new Kafka(kafkaConfigFrom(config.kafka));
  const publisher = new KafkaTransactionalPublisher(kafka, {
    topics: config.topics,
    transactionalId: `bench-cycle-memory-${Date.now()}`,
    maxEventBytes: config.kafka.eventsMaxMessageBytes,
    prepare: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, topicSpecs(config));
      } finally {
        await admin.disconnect();
      }
    },
  });
  await publisher.claim();
  const w = config.wolkvox;
  const client = new WolkvoxClient({
    server: w.server,
    token: w.token.reveal(),
    baseUrl: w.baseUrl,
    timeZone: w.timeZone,
    maxConcurrency: w.maxConcurrency,
    retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 },
    budget: new DailyRequestBudget({ timeZone: w.timeZone }),
  });
  measure('start: modules loaded, producer claimed (no Nest)');

  const operation = { server: w.server, timeZone: w.timeZone };
  const writer = new WindowWriter(publisher, {
    window,
    operation,
    maxEventBytes: config.kafka.eventsMaxMessageBytes,
    detectedAt: new Date(),
    seen: new Map(),
    mode: 'stream',
  });
  const largest = { heapUsed: 0, external: 0, rss: 0 };
  let sampledAt = 0;
  const sampling = {
    accept: (element: Parameters<WindowWriter['accept']>[0]) => writer.accept(element),
    drain: () => {
      const { valid, invalid } = writer.tally;
      if (valid + invalid - sampledAt >= 2000) {
        sampledAt = valid + invalid;
        const usage = process.memoryUsage();
        largest.heapUsed = Math.max(largest.heapUsed, usage.heapUsed);
        largest.external = Math.max(largest.external, usage.external);
        largest.rss = Math.max(largest.rss, usage.rss);
      }
      return writer.drain();
    },
    discard: () => writer.discard(),
  };
  const outcome = await client.streamWindow(window, sampling);
  if (outcome.kind !== 'records' || outcome.possiblyTruncated)
    throw new Error(`read: ${outcome.kind}`);
  const { events, valid } = writer.tally;
  const readMs = Math.round(performance.now() - started);
  phases.push({
    phase: `read: ${valid} records fetched, parsed, mapped and sent (largest sampled during it)`,
    ms: readMs,
    heapUsedMb: largest.heapUsed / 1e6,
    externalMb: largest.external / 1e6,
    rssMb: largest.rss / 1e6,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  });
  started = performance.now();

  await writer.finish();
  await writer.commit(undefined);
  measure('commit, after a full GC');

  await publisher.close();
  await client.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(config.topics), timeout: 60_000 });
  await admin.disconnect();
  const result: CycleMemoryResult = { phases, records: valid, messages: events };
  reportAndExit(result);
}

await main();
