import { formatQueryTime, parseWallTime, wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { expectEventsExactlyOnce, isolatedEnv, waitFor } from './support/poller-app.js';
import { PollerProcess } from './support/poller-process.js';
import { crash, pidOf, pollerEnv, waitForPasses, ZONE } from './support/reliability.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';

const LIMIT = 200;

/**
 * A poller restarted after a cut (a crash loop, an OOM kill, a deploy) continues the split where
 * it stood: the checkpoint's head keeps the pending piece, so the first call after the restart
 * reads it instead of the whole window the API cuts again.
 */
describe('a restart in the middle of a split', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let count = 0;

  beforeAll(async () => {
    kafka = testKafka('split-resume-e2e');
    simulator = await startTestSimulator({ seed: 'split-resume', truncationLimit: LIMIT });
    const nowWall = wallTimeOf(new Date(), ZONE);
    const items = [];
    // Five days of sparse traffic, and a burst of 1,000 emails two days ago.
    for (let wall = nowWall - 5 * 86_400; wall < nowWall; wall += 600)
      items.push({ record: cdr9Record(wall, count++) });
    for (let s = 0; s < 1000; s++)
      items.push({ record: cdr9Record(nowWall - 2 * 86_400 + s, count++) });
    await simulator.control.append(items);
  });

  afterAll(async () => {
    await simulator?.close();
  });

  it('reads the pending piece first after a kill, and publishes every email once', async () => {
    const env = pollerEnv(simulator, isolatedEnv('split-resume'), {
      WOLKVOX_MAX_RECORDS: String(LIMIT),
      POLLER_INSTANCE_ID: 'pod-a',
      POLL_INTERVAL_SECONDS: '1',
      POLL_START_AT: new Date(Date.now() - 6 * 86_400_000).toISOString(),
    });
    // Slow calls, so the kill lands while the piece after the split is being read.
    await simulator.control.faults({ latencyMs: 1500 });
    const first = await PollerProcess.start(env);
    let retry: { from: string; to: string } | undefined;
    await first.waitFor(
      () => {
        const line = first
          .logLines()
          .find((l) => typeof l.msg === 'string' && / truncated: reading /.test(l.msg));
        if (line) retry = JSON.parse(/reading (\{.*\}) first/.exec(line.msg as string)![1]);
        return Promise.resolve(retry !== undefined);
      },
      60_000,
      'a split',
    );
    await crash(first, await pidOf(first));
    await simulator.control.faults({ latencyMs: 0 });
    const callsBefore = (await simulator.control.calls()).length;

    const second = await PollerProcess.start(env);
    try {
      await waitFor(
        async () => (await simulator.control.calls()).length > callsBefore,
        30_000,
        'the restarted poller to call',
      );
      const [firstCall] = (await simulator.control.calls()).slice(callsBefore);
      // The pending piece, a second wider on each side (the bounds are not proven yet).
      expect([firstCall.dateIni, firstCall.dateEnd]).toEqual([
        formatQueryTime(parseWallTime(retry!.from)! - 1),
        formatQueryTime(parseWallTime(retry!.to)! + 1),
      ]);
      await waitForPasses(second, 1);
    } finally {
      await second.stop();
    }
    await expectEventsExactlyOnce(kafka, simulator, env, count);
  }, 180_000);
});
