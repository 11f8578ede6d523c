/**
 * Why `readTopicToEnd` once returned only the last transaction of the `replay` e2e topic, shown
 * on a live broker (`KAFKA_BROKERS`, default 127.0.0.1:19092). After `npm run build`:
 *
 *   node dist/scripts/reader-retention-repro.js            # retention: waits up to ~5.5 minutes
 *   node dist/scripts/reader-retention-repro.js --race 50  # the commit-marker window, 50 rounds
 *
 * Default mode: the replay test's writes (7 committed, 3 aborted, 5 committed over 3 partitions,
 * stamped 2026-03-01, as the test stamps them) go to two fresh topics, one with the broker's
 * default retention (7 days) and one with `retention.ms=-1`. The commit marker of the first
 * transaction is stamped with the broker's clock, months after the records before it, so the
 * broker rolls a segment there (`segment.ms` counts from the first batch's timestamp); the closed
 * segment holds only the first transaction, its newest record is older than the retention, and
 * the broker's next retention check (30 s after it starts, then every
 * `log.retention.check.interval.ms`, 5 minutes by default) deletes it. The script prints the log
 * start offsets and what `readTopicToEnd` returns, before and after that check.
 *
 * `--race N`: N rounds of three transactions stamped now and an immediate `readTopicToEnd`. The
 * broker answers EndTxn before it writes the commit markers; until they land, the last stable
 * offset (the read_committed end offset the reader starts from) stops before the transaction
 * just committed. Prints how many reads came back short.
 */
import { Kafka, logLevel } from 'kafkajs';
import { readTopicToEnd } from '../apps/poller/src/kafka/topic-reader.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const kafka = new Kafka({ clientId: 'reader-repro', brokers, logLevel: logLevel.NOTHING });
const T0 = Date.parse('2026-03-01T15:00:00Z');
const T1 = Date.parse('2026-03-01T16:00:00Z');

const topicName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function createTopic(topic: string, config: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 3,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** The replay test's three transactions; `stamps` null: the producer's clock. */
async function writeThree(topic: string, stamps: [number, number, number] | null): Promise<void> {
  const producer = kafka.producer({
    transactionalId: `${topic}-tx`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const send = async (numbers: number[], timestamp: number | undefined, commit: boolean) => {
      const tx = await producer.transaction();
      await tx.send({
        topic,
        messages: numbers.map((n) => ({
          key: String(n),
          value: `Caso ${n}`,
          partition: n % 3,
          ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
        })),
      });
      if (commit) await tx.commit();
      else await tx.abort();
    };
    await send([1, 2, 3, 4, 5, 6, 7], stamps?.[0], true);
    await send([100, 101, 102], stamps?.[1], false);
    await send([8, 9, 10, 11, 12], stamps?.[2], true);
  } finally {
    await producer.disconnect();
  }
}

async function logStarts(topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .sort((a, b) => a.partition - b.partition)
      .map((o) => `p${o.partition} ${o.low}..${o.high}`)
      .join(', ');
  } finally {
    await admin.disconnect();
  }
}

async function readSummary(topic: string): Promise<string> {
  const read = await readTopicToEnd(kafka, topic);
  const byPartition = [0, 1, 2].map(
    (p) =>
      `p${p} [${read
        .filter((m) => m.partition === p)
        .map((m) => m.offset)
        .join(',')}]`,
  );
  return `${read.length} records: ${byPartition.join(' ')}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function retention(): Promise<void> {
  const byDefault = topicName('repro-retention-default');
  const kept = topicName('repro-retention-kept');
  await createTopic(byDefault);
  await createTopic(kept, { 'retention.ms': '-1' });
  await writeThree(byDefault, [T0, T0 + 1000, T1]);
  await writeThree(kept, [T0, T0 + 1000, T1]);
  const show = async (when: string) => {
    for (const [label, topic] of [
      ['broker default retention', byDefault],
      ['retention.ms=-1', kept],
    ]) {
      process.stdout.write(
        `${when} | ${label.padEnd(24)} | log start..end ${await logStarts(topic)} | readTopicToEnd ${await readSummary(topic)}\n`,
      );
    }
  };
  await show('just written      ');
  const started = Date.now();
  const limitMs = Number(process.env.REPRO_WAIT_MS ?? 330_000);
  while (Date.now() - started < limitMs) {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(byDefault).finally(() => admin.disconnect());
    if (offsets.some((o) => o.low !== '0')) break;
    await sleep(2000);
  }
  await show(`after ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s        `);
}

async function race(rounds: number): Promise<void> {
  let short = 0;
  let failed = 0;
  for (let i = 0; i < rounds; i++) {
    const topic = topicName('repro-race');
    try {
      await createTopic(topic, { 'retention.ms': '-1' });
      await writeThree(topic, null);
    } catch (error) {
      // Under load a topic just created can be unknown to the produce path for a moment.
      failed++;
      process.stdout.write(`round ${i}: writing failed (${String(error)})\n`);
      continue;
    }
    const read = await readTopicToEnd(kafka, topic);
    if (read.length !== 12) {
      short++;
      process.stdout.write(`round ${i}: ${read.length} of 12 (${await logStarts(topic)} now)\n`);
    }
  }
  process.stdout.write(`rounds=${rounds} short=${short} writes-failed=${failed}\n`);
}

const raceAt = process.argv.indexOf('--race');
(raceAt >= 0 ? race(Number(process.argv[raceAt + 1] ?? 20)) : retention()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
