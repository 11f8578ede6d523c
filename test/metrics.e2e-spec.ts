import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../apps/poller/src/kafka/topic-reader.js';
import { expectedKeys } from './support/ground-truth.js';
import { testBrokers, testKafka, uniqueTopic } from './support/kafka.js';
import { PollerProcess } from './support/poller-process.js';
import { startTestSimulator, type CallLogEntry, type TestSimulator } from './support/simulator.js';

const ZONE = 'America/Bogota';
const TOKEN = 'dev-token';

/** `name{labels} value` lines of a Prometheus text exposition, by metric name. */
function samples(
  text: string,
  name: string,
): Array<{ labels: Record<string, string>; value: number }> {
  const found = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}
const total = (text: string, name: string) =>
  samples(text, name).reduce((sum, s) => sum + s.value, 0);

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * The counters follow what the simulator served: every call it logged (faults included) is in
 * api_calls_total under its HTTP status, the records it returned in records_fetched_total, and
 * the events and dead letters counted are the ones the topics hold, which are the simulator's
 * ground truth. The poll interval is an hour, so once the first pass reached the present the
 * poller is idle and the figures can be compared exactly.
 */
describe('/metrics', () => {
  const id = uniqueTopic('metrics');
  const server = id.replace(/[^A-Za-z0-9-]/g, '-');
  const topics = { events: `${id}.events`, deadLetters: `${id}.dlq`, progress: `${id}.progress` };
  let simulator: TestSimulator;
  let poller: PollerProcess;
  let kafka: Kafka;
  let metrics: string;
  let calls: CallLogEntry[];

  beforeAll(async () => {
    kafka = testKafka('metrics-e2e');
    const now = new Date();
    const startAt = new Date(now.getTime() - 3 * 3600_000);
    simulator = await startTestSimulator({
      seed: 'metrics',
      generation: {
        from: wallTimeOf(startAt, ZONE) + 60,
        to: wallTimeOf(now, ZONE) - 5,
        emailsPerHour: 240,
        duplicateRate: 0.02,
        invalidRate: 0.02,
        lateRate: 0,
        largeBodyRate: 0,
      },
    });
    // The first two calls fail the way the real API sometimes does; the client retries them.
    await simulator.control.faults({ queue: ['server-error', 'reset'] });

    const spawnedAt = Date.now();
    poller = await PollerProcess.start({
      WOLKVOX_SERVER: server,
      WOLKVOX_TOKEN: TOKEN,
      WOLKVOX_BASE_URL: simulator.url,
      KAFKA_BROKERS: testBrokers().join(','),
      EMAIL_SENT_TOPIC: topics.events,
      EMAIL_DEAD_LETTER_TOPIC: topics.deadLetters,
      POLLER_PROGRESS_TOPIC: topics.progress,
      POLL_START_AT: startAt.toISOString(),
      POLL_INTERVAL_SECONDS: '3600',
      POLL_SETTLE_SECONDS: '0',
    });
    await poller.waitForReady(200, 120_000);
    process.stderr.write(
      `[metrics.e2e] ready ${Date.now() - spawnedAt} ms after the process started\n`,
    );
    await poller.waitFor(
      async () => {
        const text = (await poller.get<string>('/metrics')).body;
        return samples(text, 'wolkvox_poller_cycles_total').some(
          (s) => s.labels.outcome === 'caught-up',
        );
      },
      120_000,
      'the first pass to reach the present',
    );
    metrics = (await poller.get<string>('/metrics')).body;
    calls = await simulator.control.calls();
  }, 300_000);

  afterAll(async () => {
    await poller?.stop();
    await simulator?.close();
  }, 60_000);

  it('is served as Prometheus text, with the process metrics', async () => {
    const answer = await fetch(`${poller.url}/metrics`);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(metrics).not.toContain(TOKEN);
  });

  it('counts every call the simulator logged, under the HTTP status it sent', () => {
    expect(calls.length).toBeGreaterThanOrEqual(3);
    const served = countBy(calls, (c) => String(c.status ?? 'none'));
    const counted: Record<string, number> = {};
    // Outcomes that alerts watch are exposed at 0 before they happen: only counted calls compare.
    for (const s of samples(metrics, 'wolkvox_poller_api_calls_total').filter((s) => s.value > 0))
      counted[s.labels.status] = (counted[s.labels.status] ?? 0) + s.value;
    expect(counted).toEqual(served);
    // The two faults are there under their own outcomes.
    const byOutcome = countBy(
      samples(metrics, 'wolkvox_poller_api_calls_total').flatMap((s) =>
        Array<string>(s.value).fill(s.labels.outcome),
      ),
      (o) => o,
    );
    expect(byOutcome).toMatchObject({ transient: 1, 'network-error': 1 });
    expect(total(metrics, 'wolkvox_poller_api_call_duration_seconds_count')).toBe(calls.length);
    expect(total(metrics, 'wolkvox_poller_budget_used_requests')).toBe(calls.length);
  });

  it('counts the records the simulator returned', () => {
    const returned = calls.reduce((sum, c) => sum + (c.returned ?? 0), 0);
    expect(returned).toBeGreaterThan(0);
    expect(total(metrics, 'wolkvox_poller_records_fetched_total')).toBe(returned);
  });

  it('counts the events and dead letters the topics hold, which are the ground truth', async () => {
    const expected = expectedKeys(server, await simulator.control.truth());
    const events = await readTopicToEnd(kafka, topics.events, { timeoutMs: 60_000 });
    const deadLetters = await readTopicToEnd(kafka, topics.deadLetters, { timeoutMs: 60_000 });
    expect(new Set(events.map((m) => m.message.key!.toString()))).toEqual(new Set(expected.events));
    expect(total(metrics, 'wolkvox_poller_events_published_total')).toBe(events.length);
    expect(total(metrics, 'wolkvox_poller_dead_letters_total')).toBe(deadLetters.length);
    expect(deadLetters.length).toBe(expected.deadLetters.size);
    expect(total(metrics, 'wolkvox_poller_duplicates_skipped_total')).toBe(0);
  });

  it('counts cycles by outcome, times each, and shows the lag and that it is not fenced', () => {
    const cycles = samples(metrics, 'wolkvox_poller_cycles_total');
    expect(cycles.find((s) => s.labels.outcome === 'published')?.value).toBeGreaterThanOrEqual(1);
    expect(total(metrics, 'wolkvox_poller_cycle_duration_seconds_count')).toBe(
      total(metrics, 'wolkvox_poller_cycles_total'),
    );
    expect(samples(metrics, 'wolkvox_poller_checkpoint_lag_seconds')).toHaveLength(1);
    expect(total(metrics, 'wolkvox_poller_fenced')).toBe(0);
    const lastGood = total(metrics, 'wolkvox_poller_last_good_poll_timestamp_seconds');
    expect(lastGood * 1000).toBeLessThanOrEqual(Date.now());
    expect(lastGood).toBeGreaterThan(0);
  });
});
