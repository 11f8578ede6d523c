import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { expectEventsExactlyOnce, isolatedEnv } from './support/poller-app.js';
import { CLI_MAIN, PollerProcess, runToExit, type ReadyBody } from './support/poller-process.js';
import { pollerEnv, waitForPasses, ZONE } from './support/reliability.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';
import { createTopicsWithLeaders } from '../apps/poller/src/kafka/topic-leaders.js';

/**
 * A checkpoint that cannot be read (here: written by a newer release) is an outcome of its
 * own: the poller publishes nothing, says so once in its log and in readiness, and does not
 * retry in a loop reported as a Kafka failure; the CLI shows it; `checkpoint-reset` recovers.
 */
describe('an unreadable checkpoint', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;

  beforeAll(async () => {
    kafka = testKafka('unreadable-e2e');
    simulator = await startTestSimulator({ seed: 'unreadable' });
    const nowWall = wallTimeOf(new Date(), ZONE);
    await simulator.control.append(
      Array.from({ length: 12 }, (_, n) => ({ record: cdr9Record(nowWall - 1200 + n * 60, n) })),
    );
  });

  afterAll(async () => {
    await simulator?.close();
  });

  it('stops the poller loudly once, shows in the CLI, and recovers with checkpoint-reset', async () => {
    const env = pollerEnv(simulator, isolatedEnv('unreadable'), {
      POLL_INTERVAL_SECONDS: '1',
      KAFKA_REPLICATION_FACTOR: '1',
    });
    const server = env.WOLKVOX_SERVER;
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, {
      topics: [
        {
          topic: env.POLLER_PROGRESS_TOPIC,
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: env.POLLER_PROGRESS_TOPIC,
      messages: [
        { key: server, value: JSON.stringify({ v: 7, server, generation: 3, chunks: 1 }) },
        { key: `${server}/seen/0`, value: '{"v":7}' },
      ],
    });
    await producer.disconnect();

    const poller = await PollerProcess.start(env);
    try {
      const notReady = await poller.waitForReady<ReadyBody>(503, 60_000, (body) =>
        /newer release/.test(String(body.details?.checkpoint?.message)),
      );
      expect(notReady.body.details.kafka.status).toBe('up');
      // Several looks later: still one error line, and no Kafka failure reported.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const lines = poller.logLines();
      // One error line from the loop, however often it looks again (the readiness log's warning
      // on the change to not ready names the reason too, once).
      const errors = lines.filter(
        (l) => l.level === 'error' && /cannot be read/.test(String(l.msg)),
      );
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toMatch(/checkpoint-reset --to/);
      expect(lines.filter((l) => /^Kafka:/.test(String(l.msg)))).toEqual([]);

      const shown = await runToExit(CLI_MAIN, ['checkpoint', '--json'], env);
      expect(shown.code).toBe(2);
      expect(JSON.parse(shown.stdout)).toEqual({
        operation: server,
        unreadable: expect.stringMatching(/version 7 was written by a newer release/),
      });

      const start = new Date(Date.now() - 3600_000).toISOString();
      const reset = await runToExit(CLI_MAIN, ['checkpoint-reset', '--to', start], env);
      expect([reset.code, reset.stderr]).toEqual([0, expect.any(String)]);
      await poller.waitForReady(200, 60_000);
      await waitForPasses(poller, 1);
    } finally {
      await poller.stop();
    }
    await expectEventsExactlyOnce(kafka, simulator, env, 12);
    const after = await runToExit(CLI_MAIN, ['checkpoint', '--json'], env);
    expect(after.code).toBe(0);
  }, 180_000);
});
