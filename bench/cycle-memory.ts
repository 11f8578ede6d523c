/**
 * Memory profile of one poll cycle, step by step, with the poller's own code: the Wolkvox
 * client's fetch and parse, event-mapping.ts, and the transactional publisher writing to the
 * bench's broker. After each step a full GC (--expose-gc) leaves only what the cycle still
 * references, and the process's peak RSS so far shows which step raised it. Started by
 * profile-run.ts as `node --expose-gc dist/bench/cycle-memory.js` (BENCH_PROFILE=memory).
 */
import { DailyRequestBudget, WolkvoxClient } from '@app/wolkvox-client';
import { kafkaConfigFrom } from '../apps/poller/src/kafka/kafka-factory.js';
import { ensureTopics } from '../apps/poller/src/kafka/topic-admin.js';
import { KafkaTransactionalPublisher } from '../apps/poller/src/kafka/transactional-publisher.js';
import { mapWindow } from '../apps/poller/src/poll/event-mapping.js';
import { topicSpecs } from '../apps/poller/src/poller/topic-specs.js';
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
  /** What is still referenced after the phase and a full GC. */
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

  const outcome = await client.fetchWindow(window);
  if (outcome.kind !== 'records') throw new Error(`fetch: ${outcome.kind}`);
  measure(`fetch + parse + validate: ${outcome.records.length} records held`);

  const operation = { server: w.server, timeZone: w.timeZone };
  const mapped = mapWindow(
    window,
    outcome.records,
    outcome.invalid,
    operation,
    config.kafka.eventsMaxMessageBytes,
    new Date(),
  );
  measure(`map + encode: ${mapped.events.length} messages held beside the records`);

  await publisher.publish({
    events: mapped.events.map((e) => e.message),
    deadLetters: mapped.deadLetters.map((d) => d.message),
    checkpoint: [],
  });
  measure('publish (one transaction) and commit');

  await publisher.close();
  await client.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(config.topics), timeout: 60_000 });
  await admin.disconnect();
  // Read after the last measurement, so both stay referenced through it, as the poll cycle
  // references them until it returns.
  const result: CycleMemoryResult = {
    phases,
    records: outcome.records.length,
    messages: mapped.events.length,
  };
  reportAndExit(result);
}

await main();
