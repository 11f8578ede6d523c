/**
 * The publisher's settings measured one by one on workload (a)'s events: request size and
 * compression through KafkaTransactionalPublisher itself, and several sendBatch calls in flight
 * on a bare idempotent producer. The figures behind the defaults in transactional-publisher.ts
 * (BENCHMARKS.md, "Tuning").
 *
 *   npm run build && node dist/bench/publisher-tuning.js     (BENCH_RUNS, KAFKA_BROKERS as for run.js)
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_REQUEST_BYTES } from '../apps/poller/src/kafka/transactional-publisher.js';
import { createEventsTopicLikePoller, deleteTopics } from './bench-topics.js';
import { runChildScript } from './child-script.js';
import { CleanupStack } from './cleanup-stack.js';
import { writeExpectedEvents } from './encoded-events.js';
import { startBenchKafkaWithAdmin } from './kafka-broker.js';
import { MB, type Measurement } from './measurement.js';
import { workDir } from './paths.js';
import type { ProduceInput } from './produce-kafkajs.js';
import type { PublishInput } from './publish-batch.js';
import { median } from './summary.js';
import { workload, ZONE } from './workloads.js';

interface Variant {
  name: string;
  run: (topic: string) => Promise<Measurement>;
}

const log = (line: string): void => {
  process.stderr.write(`[tuning ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const { kafka, admin } = await startBenchKafkaWithAdmin(process.env, cleanup);

    const messageFile = join(workDir('messages'), 'tuning.events');
    cleanup.push('message file', () => Promise.resolve(rmSync(messageFile, { force: true })));
    const expected = await writeExpectedEvents(
      workload('a', new Date()).records!,
      { server: 'bench', timeZone: ZONE },
      8 * 1024 * 1024,
      messageFile,
    );
    log(`${expected.events} events, ${(expected.eventBytes / MB).toFixed(1)} MB`);
    const env = {
      WOLKVOX_SERVER: 'bench',
      WOLKVOX_TOKEN: 'bench-token',
      KAFKA_BROKERS: kafka.brokers.join(','),
    };
    const publish = (maxRequestBytes: number | undefined, gzip: boolean) => (topic: string) =>
      runChildScript<Measurement>('publish-batch', {
        brokers: kafka.brokers,
        topics: { events: topic, deadLetters: `${topic}.dlq`, progress: `${topic}.progress` },
        messageFile,
        maxRequestBytes,
        gzip,
      } satisfies PublishInput);
    const bare = (inFlight: number) => (topic: string) =>
      runChildScript<Measurement>('produce-kafkajs', {
        brokers: kafka.brokers,
        topic,
        messageFile,
        maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
        gzip: false,
        inFlight,
      } satisfies ProduceInput);
    const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
    const variants: Variant[] = [
      {
        name: `publisher, default (${kib(DEFAULT_MAX_REQUEST_BYTES)})`,
        run: publish(undefined, false),
      },
      ...[256 * 1024, 900 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024, 7 * 1024 * 1024].map(
        (bytes) => ({
          name: `publisher, maxRequestBytes ${kib(bytes)}`,
          run: publish(bytes, false),
        }),
      ),
      { name: `publisher, ${kib(DEFAULT_MAX_REQUEST_BYTES)}, gzip`, run: publish(undefined, true) },
      { name: 'bare idempotent producer, 1 sendBatch in flight', run: bare(1) },
      { name: 'bare idempotent producer, 4 sendBatch in flight', run: bare(4) },
    ];
    const results = new Map<string, Measurement[]>();
    for (let run = 1; run <= runs; run++) {
      for (const variant of variants) {
        const topic = `tuning.${run}.${Date.now()}`;
        await createEventsTopicLikePoller(admin, env, topic);
        const measured = await variant.run(topic);
        await deleteTopics(admin, [topic, `${topic}.dlq`, `${topic}.progress`]);
        results.set(variant.name, [...(results.get(variant.name) ?? []), measured]);
        log(`run ${run}: ${variant.name}: ${measured.seconds.toFixed(2)} s`);
      }
    }
    const lines = [
      `Workload (a) events, medians of ${runs} run(s); load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
      '',
      '| variant | records/s | MB/s | CPU s | peak RSS MB |',
      '| --- | ---: | ---: | ---: | ---: |',
    ];
    for (const [name, measured] of results) {
      lines.push(
        `| ${name} | ${Math.round(median(measured.map((m) => m.records / m.seconds))).toLocaleString('en-US')} | ${median(measured.map((m) => m.bytes / MB / m.seconds)).toFixed(1)} | ${median(measured.map((m) => m.cpuSeconds)).toFixed(2)} | ${Math.round(median(measured.map((m) => m.peakRssBytes / MB)))} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await cleanup.run(log);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
