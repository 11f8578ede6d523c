import { formatWallTime, wallTimeOf } from '@app/contracts';
import { Presets, SingleBar } from 'cli-progress';
import type { Kafka } from 'kafkajs';
import { backfillPublisher, checkpointStoreFor } from '../kafka/kafka-adapters.js';
import { decodeOwner, type StoredCheckpoint } from '../kafka/checkpoint-codec.js';
import { resetMessages } from '../kafka/checkpoint-reset.js';
import { liveOwner } from '../lease/lease.js';
import { CorruptCheckpointError } from '../ports/checkpoint-store.port.js';
import { cycleSettingsFrom, RANGE_RUN } from '../cycle/cycle-settings.js';
import { createWolkvoxClient, dailyBudgetFor } from '../wolkvox/wolkvox-client.factory.js';
import { WolkvoxEmailSource } from '../wolkvox/wolkvox-email-source.js';
import { RangeRunner } from '../range/range-runner.js';
import { publishedKeysSince } from '../reconcile/published-keys.js';
import { CappedRequestBudget } from './capped-request-budget.js';
import { planBackfill, runBackfill, type BackfillSummary } from './backfill.js';
import { checkpointView, formatCheckpoint } from './checkpoint-view.js';
import { EXIT } from '../startup/exit-codes.js';
import { budgetOutput, planOutput } from './plan-command.js';
import type { CliContext } from './cli-context.js';
import { replay, type ReplayStart } from './replay.js';

async function loadCheckpoint({ config, kafka }: CliContext): Promise<StoredCheckpoint | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(config.topics.progress)) return null;
  } finally {
    await admin.disconnect();
  }
  return checkpointStoreFor(kafka, config).loadStored();
}

function nowWall({ config }: CliContext) {
  return wallTimeOf(new Date(), config.wolkvox.timeZone);
}

export async function checkpointCommand(ctx: CliContext, options: { json?: boolean }) {
  let stored: StoredCheckpoint | null;
  try {
    stored = await loadCheckpoint(ctx);
  } catch (error) {
    if (!(error instanceof CorruptCheckpointError)) throw error;
    const server = ctx.config.wolkvox.server;
    ctx.io.out(
      options.json
        ? JSON.stringify({ operation: server, unreadable: error.message })
        : `checkpoint of operation ${server} cannot be read: ${error.message}\nthe poller publishes nothing until it is reset: npm run cli -- checkpoint-reset --to <RFC 3339 instant>`,
    );
    return EXIT.unreadableCheckpoint;
  }
  if (!stored) {
    const server = ctx.config.wolkvox.server;
    ctx.io.out(
      options.json
        ? JSON.stringify({ operation: server, checkpoint: null })
        : `no checkpoint for operation ${server} in ${ctx.config.topics.progress} yet: the poller has not published yet`,
    );
    return EXIT.ok;
  }
  const view = checkpointView(
    stored,
    {
      server: ctx.config.wolkvox.server,
      timeZone: ctx.config.wolkvox.timeZone,
      dailyQuota: ctx.config.wolkvox.dailyQuota,
    },
    nowWall(ctx),
  );
  ctx.io.out(options.json ? JSON.stringify(view) : formatCheckpoint(view));
  return 0;
}

/**
 * Replaces the operation's checkpoint with a fresh one at `to` (an unreadable one included).
 * Refuses while a live poller holds the lease: stop it first, or it would overwrite the reset.
 */
export async function checkpointResetCommand(ctx: CliContext, options: { to: Date }) {
  const { config, kafka } = ctx;
  const server = config.wolkvox.server;
  const store = checkpointStoreFor(kafka, config);
  const latest = await store.latestCommitted();
  const now = new Date();
  const owner = liveOwner(decodeOwner(server, latest), now, config.poll.leaseSeconds * 1000);
  if (owner) {
    ctx.io.err(
      `a poller (${owner.id}, last heartbeat ${owner.heartbeatAt}) holds operation ${server}: stop it before resetting its checkpoint`,
    );
    return 1;
  }
  const at = wallTimeOf(options.to, config.wolkvox.timeZone);
  const messages = resetMessages(server, latest, at, now);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic: config.topics.progress, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  ctx.io.out(
    `checkpoint of operation ${server} reset to ${formatWallTime(at)} (${config.wolkvox.timeZone}); the poller reads from there at its next look`,
  );
  return 0;
}

export async function budgetCommand(ctx: CliContext, options: { json?: boolean }) {
  ctx.io.out(budgetOutput(ctx, await loadCheckpoint(ctx), options));
  return EXIT.ok;
}

export async function planCommand(
  ctx: CliContext,
  options: { from: Date; to: Date; recordsPerDay?: number; json?: boolean },
) {
  const result = planOutput(ctx, await loadCheckpoint(ctx), options);
  if (result.err) ctx.io.err(result.err);
  if (result.out) ctx.io.out(result.out);
  return result.code;
}

export async function replayCommand(
  ctx: CliContext,
  options: {
    start: ReplayStart;
    deadLetters: boolean;
    topic?: string;
    format: 'json' | 'table';
    follow: boolean;
  },
  signal: AbortSignal,
) {
  const kind = options.deadLetters ? 'dead-letters' : 'events';
  const topic =
    options.topic ??
    (options.deadLetters ? ctx.config.topics.deadLetters : ctx.config.topics.events);
  const counts = await replay(ctx.kafka, {
    topic,
    kind,
    start: options.start,
    format: options.format,
    follow: options.follow,
    signal,
    write: (line) => ctx.io.out(line),
  });
  ctx.io.err(
    `${counts.messages} messages from ${topic}${counts.undecodable ? `, ${counts.undecodable} could not be decoded` : ''}`,
  );
  return counts.undecodable ? 1 : 0;
}

/** Every key a topic holds now (read_committed), to publish nothing twice. */
async function topicKeys(kafka: Kafka, topic: string): Promise<Set<string>> {
  return (await publishedKeysSince(kafka, topic, undefined, 15 * 60_000)).keys;
}

export async function backfillCommand(
  ctx: CliContext,
  options: { from: Date; to: Date; maxRequests?: number; json?: boolean; progress: boolean },
  signal: AbortSignal,
) {
  const { config, kafka, io } = ctx;
  const zone = config.wolkvox.timeZone;
  const stored = await loadCheckpoint(ctx);
  const plan = planBackfill(wallTimeOf(options.from, zone), wallTimeOf(options.to, zone), stored);
  if (plan.kind === 'refused') {
    io.err(`backfill refused: ${plan.reason}`);
    return 1;
  }
  if (plan.kind === 'nothing') {
    io.err(`nothing to backfill: ${plan.reason}`);
    return 0;
  }
  io.err(
    `backfilling ${formatWallTime(plan.from)} .. ${formatWallTime(plan.last)} (${zone})` +
      (plan.clampedAt
        ? `; from ${formatWallTime(plan.clampedAt)} on, the poller reads the range itself`
        : ''),
  );
  io.err(`reading the keys ${config.topics.events} and ${config.topics.deadLetters} hold…`);
  const published = {
    events: await topicKeys(kafka, config.topics.events),
    deadLetters: await topicKeys(kafka, config.topics.deadLetters),
  };

  const w = config.wolkvox;
  const budget = new CappedRequestBudget(
    dailyBudgetFor(w),
    options.maxRequests ?? Number.POSITIVE_INFINITY,
  );
  const client = createWolkvoxClient(w, budget);
  const publisher = backfillPublisher(kafka, config);
  const runner = new RangeRunner({
    range: plan,
    source: new WolkvoxEmailSource(client, budget),
    publisher,
    published,
    settings: cycleSettingsFrom(config, RANGE_RUN),
    start: { budget: stored!.progress.budget },
  });

  const total = plan.last - plan.from + 1;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format:
        'backfill [{bar}] {percentage}% | {value}/{total} s | {events} published, {skipped} already there',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  if (options.progress) bar.start(total, 0, { events: 0, skipped: 0 });
  let summary: BackfillSummary;
  try {
    summary = await runBackfill({
      runner,
      range: plan,
      signal,
      onProgress: (done, s) =>
        options.progress &&
        bar.update(done, { events: s.published.events, skipped: s.published.alreadyPublished }),
    });
  } finally {
    if (options.progress) bar.stop();
    await publisher.close();
    await client.close();
  }
  const requests = budget.runSpent;
  io.out(
    options.json ? JSON.stringify({ ...summary, requests }) : formatSummary(summary, requests),
  );
  return summary.complete ? 0 : 1;
}

function formatSummary(s: BackfillSummary, requests: number): string {
  const lines = [
    `${s.complete ? 'backfilled' : 'stopped'} ${s.from} .. ${s.to}`,
    `  ${s.published.events} events and ${s.published.deadLetters} dead letters published`,
    `  ${s.published.alreadyPublished} already on the topics, skipped`,
    `  ${s.fetched} records fetched in ${s.windows} windows (${s.splits} split), ${requests} API requests`,
  ];
  if (s.overflowingSeconds.length)
    lines.push(
      `  seconds holding the API's cut (records beyond it unreadable): ${s.overflowingSeconds.join(', ')}`,
    );
  if (s.stoppedBecause)
    lines.push(
      `  stopped because ${s.stoppedBecause}; run it again to go on (published keys are skipped)`,
    );
  return lines.join('\n');
}
