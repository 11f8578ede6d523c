/**
 * A day of realistic traffic polled as the poller polls it, in simulated time: what the
 * look-back re-read costs in calls, CPU and memory per day, and per poll in the hour after a
 * campaign. See BENCHMARKS.md, "A day of steady polling".
 *
 *   npm run build && KAFKA_BROKERS=127.0.0.1:9092 node dist/bench/steady-day.js
 *
 * The day ended a few hours ago, so the simulator (a process of its own) serves all of it; the
 * poll cycle runs in this process with the poller's own adapters (undici client, kafkajs
 * transactional publisher, checkpoint topic) and a clock that jumps by POLL_INTERVAL_SECONDS
 * whenever a pass has caught up, as the poll loop would sleep. CPU and peak RSS per poll are this
 * process's: the simulator and the broker are elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatWallTime,
  instantOf,
  validateCdr9Record,
  wallTimeOf,
  type WallSeconds,
} from '@app/contracts';
import { DailyRequestBudget } from '@app/wolkvox-client';
import { createKafka } from '../apps/poller/src/kafka/kafka-factory.js';
import { CheckpointChain } from '../apps/poller/src/kafka/checkpoint-chain.js';
import { checkpointStoreFor } from '../apps/poller/src/kafka/kafka-adapters.js';
import { KafkaTransactionalPublisher } from '../apps/poller/src/kafka/transactional-publisher.js';
import { ensureTopics } from '../apps/poller/src/kafka/topic-admin.js';
import { PollCycle } from '../apps/poller/src/cycle/poll-cycle.js';
import { limitsFor } from '../apps/poller/src/cycle/window-planner.js';
import { topicSpecs } from '../apps/poller/src/kafka/topic-specs.js';
import { createWolkvoxClient } from '../apps/poller/src/wolkvox/wolkvox-client.factory.js';
import { WolkvoxEmailSource } from '../apps/poller/src/wolkvox/wolkvox-email-source.js';
import { deleteTopics, pollerConfig } from './bench-topics.js';
import { CleanupStack } from './cleanup-stack.js';
import { startBenchKafkaWithAdmin } from './kafka-broker.js';
import { workDir } from './paths.js';
import { SimulatorProcess } from './simulator-process.js';
import { describeDay, summarizeDay, type Campaign, type PollFigures } from './steady-day-report.js';
import { ZONE } from './workloads.js';

const HOUR = 3_600;
const DAY = 86_400;
const TOKEN = 'bench-token';

const log = (line: string): void => {
  process.stderr.write(`[steady-day ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/**
 * The day: 120 emails an hour, a campaign of 30,000 over two hours from 10:00 and one of 70,000
 * within the hour from 15:00, 1% identical duplicates, 0.5% invalid records, nothing late.
 */
function theDay(now: Date) {
  const nowWall = wallTimeOf(now, ZONE);
  // Ends at least two hours ago: every record is visible in the simulator's real time.
  const from = Math.floor(nowWall / HOUR) * HOUR - DAY - 3 * HOUR;
  const campaigns = [
    { name: 'the campaign of 30,000', at: from + 10 * HOUR, count: 30_000, seconds: 2 * HOUR },
    { name: 'the campaign of 70,000', at: from + 15 * HOUR, count: 70_000, seconds: HOUR },
  ];
  const simulatorEnv = {
    SIM_SEED: 'steady-day',
    SIM_TIMEZONE: ZONE,
    SIM_ORDER: 'shuffled',
    SIM_TOKEN: TOKEN,
    SIM_DATA_FROM: formatWallTime(from),
    // The last poll reads up to the settle lag before the end of the day: no email after that.
    SIM_DATA_TO: formatWallTime(from + DAY - 121),
    SIM_EMAILS_PER_HOUR: '120',
    SIM_BURSTS: campaigns.map((c) => `${formatWallTime(c.at)}=${c.count}/${c.seconds}`).join(','),
    SIM_DUPLICATE_RATE: '0.01',
    SIM_INVALID_RATE: '0.005',
    SIM_LATE_RATE: '0',
    SIM_LARGE_BODY_RATE: '0',
  };
  return { from, campaigns, simulatorEnv };
}

const instant = (wall: WallSeconds): Date => instantOf(wall, ZONE)!.instant;

function peakRssMbSinceReset(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** Resets this process's VmHWM to its current RSS (Linux: clear_refs 5). */
function resetPeakRss(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

async function main(): Promise<void> {
  const cleanup = new CleanupStack();
  cleanup.onSignals(log);
  try {
    const { kafka: benchKafka, admin } = await startBenchKafkaWithAdmin(process.env, cleanup);
    const day = theDay(new Date());
    log(`simulating ${formatWallTime(day.from)} to ${formatWallTime(day.from + DAY - 1)}`);
    const simulator = await SimulatorProcess.start(`steady-day-${Date.now()}`, day.simulatorEnv);
    cleanup.push('simulator', () => simulator.stop());
    const { valid, invalid } = await truthCounts(simulator);
    log(`${valid + invalid} records: ${valid} valid, ${invalid} invalid`);

    const prefix = `bench.steady-day.${Date.now()}`;
    const config = pollerConfig({
      WOLKVOX_SERVER: 'bench',
      WOLKVOX_TOKEN: TOKEN,
      WOLKVOX_BASE_URL: simulator.url,
      WOLKVOX_TIMEZONE: ZONE,
      KAFKA_BROKERS: benchKafka.brokers.join(','),
      EMAIL_SENT_TOPIC: `${prefix}.events`,
      EMAIL_DEAD_LETTER_TOPIC: `${prefix}.dlq`,
      POLLER_PROGRESS_TOPIC: `${prefix}.progress`,
      POLL_START_AT: instant(day.from).toISOString(),
    });
    cleanup.push('topics', () =>
      deleteTopics(admin, [
        config.topics.events,
        config.topics.deadLetters,
        config.topics.progress,
      ]),
    );
    await ensureTopics(admin, topicSpecs(config));

    let simulatedNow = instant(day.from).getTime();
    let calls = 0;
    const kafka = createKafka(config.kafka);
    const budget = new DailyRequestBudget({ timeZone: ZONE });
    const source = new WolkvoxEmailSource(
      createWolkvoxClient(config.wolkvox, budget, () => calls++),
      budget,
    );
    const chain = new CheckpointChain(config.wolkvox.server);
    const store = checkpointStoreFor(kafka, config, chain);
    const publisher = new KafkaTransactionalPublisher(kafka, {
      topics: config.topics,
      transactionalId: `wolkvox-poller-${prefix}`,
      maxEventBytes: config.kafka.eventsMaxMessageBytes,
      checkpoints: chain,
    });
    cleanup.push('publisher', () => publisher.close());
    const cycle = new PollCycle(source, publisher, store, {
      operation: { server: config.wolkvox.server, timeZone: ZONE },
      startAt: config.poll.startAt,
      lookbackSeconds: config.poll.lookbackSeconds,
      settleSeconds: config.poll.settleSeconds,
      unrecordedCallAllowance: 0,
      limits: limitsFor(config.wolkvox.maxRecords),
      clock: () => new Date(simulatedNow),
    });

    const polls: PollFigures[] = [];
    const intervalMs = config.poll.intervalSeconds * 1000;
    const endMs = instant(day.from + DAY).getTime();
    for (simulatedNow += intervalMs; simulatedNow <= endMs; simulatedNow += intervalMs) {
      polls.push(await onePoll(cycle, simulatedNow, () => calls));
      if (polls.length % 24 === 0) log(`${polls.length} polls`);
    }

    const campaigns: Campaign[] = day.campaigns.map((c) => ({
      name: c.name,
      endsAt: instant(c.at + c.seconds).getTime(),
    }));
    const summary = summarizeDay(polls, campaigns);
    const text = describeDay(summary);
    const expected = `expected: ${valid} events, ${invalid} dead letters (one per invalid record)`;
    const file = join(workDir('results'), `steady-day-${new Date().toISOString()}.json`);
    writeFileSync(file, JSON.stringify({ summary, polls, valid, invalid }, null, 2));
    process.stdout.write(`${text}\n${expected}\n`);
    log(`raw figures: ${file}`);
  } finally {
    await cleanup.run(log);
  }
}

/** Valid and invalid records the simulator serves (not kept: the day is 100,000 records). */
async function truthCounts(
  simulator: SimulatorProcess,
): Promise<{ valid: number; invalid: number }> {
  const truth = await simulator.truth();
  const valid = truth.filter((entry) => validateCdr9Record(entry.record).ok).length;
  return { valid, invalid: truth.length - valid };
}

/** Cycles until the pass reaches the present: one poll of the loop. */
async function onePoll(cycle: PollCycle, at: number, calls: () => number): Promise<PollFigures> {
  resetPeakRss();
  const cpu = process.cpuUsage();
  const callsBefore = calls();
  const figures = { at, fetched: 0, events: 0, deadLetters: 0 };
  for (;;) {
    const outcome = await cycle.run();
    if (outcome.kind === 'caught-up') break;
    if (outcome.kind === 'published') {
      figures.fetched += outcome.fetched;
      figures.events += outcome.events;
      figures.deadLetters += outcome.deadLetters;
    } else if (outcome.kind !== 'split' && outcome.kind !== 'read-whole') {
      throw new Error(`poll at ${new Date(at).toISOString()}: ${JSON.stringify(outcome)}`);
    }
  }
  const used = process.cpuUsage(cpu);
  return {
    ...figures,
    calls: calls() - callsBefore,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMb: peakRssMbSinceReset(),
  };
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
