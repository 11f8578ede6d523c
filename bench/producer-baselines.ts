import type { Admin } from 'kafkajs';
import { DEFAULT_MAX_REQUEST_BYTES } from '../apps/poller/src/kafka/transactional-publisher.js';
import { createEventsTopicLikePoller, deleteTopics } from './bench-topics.js';
import { runChildScript } from './child-script.js';
import type { ExpectedOutput } from './encoded-events.js';
import { runKcat } from './kcat.js';
import type { Measurement } from './measurement.js';
import type { ProduceInput } from './produce-kafkajs.js';

const PRODUCERS = [
  'kafkajs-idempotent',
  'kafkajs-transactional',
  'kcat-idempotent',
  'kcat-transactional',
] as const;

export interface ProducerContext {
  brokers: string[];
  admin: Admin;
  /** The poller's environment: each baseline's topic is created as the poller creates its own. */
  pollerEnv: Record<string, string>;
  /** Names this round's topics and transactional ids. */
  stamp: string;
  expected: ExpectedOutput;
  log: (line: string) => void;
}

/**
 * The workload's events sent by each bare producer, each to a fresh topic configured like the
 * poller's events topic, each checked for every event delivered, then deleted. kafkajs batches
 * its sendBatch calls at the poller's request size, so the comparison is of everything around
 * the producer, not of batching.
 */
export async function measureProducers(ctx: ProducerContext): Promise<Measurement[]> {
  const { expected } = ctx;
  const measurements: Measurement[] = [];
  for (const producer of PRODUCERS) {
    const topic = `${ctx.stamp}.${producer}`;
    await createEventsTopicLikePoller(ctx.admin, ctx.pollerEnv, topic);
    const transactionalId = producer.endsWith('transactional') ? topic : undefined;
    const measured = producer.startsWith('kafkajs')
      ? await runChildScript<Measurement>('produce-kafkajs', {
          brokers: ctx.brokers,
          topic,
          messageFile: expected.messageFile,
          transactionalId,
          maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
          gzip: false,
        } satisfies ProduceInput)
      : await runKcat({
          brokers: ctx.brokers,
          topic,
          messageFile: expected.messageFile,
          events: expected.events,
          eventBytes: expected.eventBytes,
          transactionalId,
          gzip: false,
        });
    await checkDelivered(ctx.admin, topic, expected.events, transactionalId !== undefined);
    await deleteTopics(ctx.admin, [topic]);
    measurements.push(measured);
    ctx.log(describe(measured));
  }
  return measurements;
}

/** Fails the run when a producer reports success but its topic holds another count of events. */
async function checkDelivered(
  admin: Admin,
  topic: string,
  events: number,
  transactional: boolean,
): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const written = offsets.reduce((sum, p) => sum + Number(p.high), 0);
  // A committed transaction adds one marker to each partition it wrote.
  const markers = transactional ? offsets.length : 0;
  if (written < events || written > events + markers)
    throw new Error(`${topic} holds ${written} offsets for ${events} events`);
}

/** One line of progress for the log. */
export function describe(m: Measurement): string {
  const calls = m.apiCalls === undefined ? '' : `, ${m.apiCalls} API calls`;
  return `${m.tool}: ${m.seconds.toFixed(2)} s, ${Math.round(m.records / m.seconds)} records/s, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${Math.round(m.peakRssBytes / 1e6)} MB${calls}`;
}
