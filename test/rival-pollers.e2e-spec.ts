import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { testKafka } from './support/kafka.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import {
  checkStream,
  exactlyOnce,
  isolatedEnv,
  logged,
  note,
  pollerEnv,
  recordRow,
  secondsSince,
  waitForCursorPast,
  ZONE,
} from './support/reliability.js';
import { startTestSimulator, type TestSimulator } from './support/simulator.js';

interface Rival {
  name: string;
  poller: PollerProcess;
  ready?: ReadyBody & { httpStatus: number };
}

const published = (p: PollerProcess) => logged(p, 'published window').length;

/** Why a poller is not ready, in one line: every indicator that is down, with its message. */
const reasons = (body: ReadyBody | undefined) =>
  Object.entries(body?.details ?? {})
    .filter(([, d]) => d.status !== 'up')
    .map(([k, d]) => `${k}: ${d.message ?? d.status}`)
    .join('; ');

/**
 * docs/CONTRACT.md section 4, "two pollers of the same operation never both publish": two processes of one
 * operation start at the same moment. One publishes; the other is fenced (its producer epoch was
 * bumped) or waits on standby (the operation's lease is held), and says so in /health/ready
 * with a 503. The stream holds every email once.
 *
 * Twice: with the same instance id (two processes on one host, the default POLLER_INSTANCE_ID
 * being the host name: only Kafka's fencing can separate them) and with distinct ids (two pods).
 */
describe('rival pollers of one operation', () => {
  let kafka: Kafka;
  let simulator: TestSimulator;
  let startAt: Date;
  const started: PollerProcess[] = [];

  beforeAll(async () => {
    kafka = testKafka('rivals-e2e');
    const now = new Date();
    const end = wallTimeOf(now, ZONE);
    // Both operations read from before the first email of the history.
    startAt = new Date(now.getTime() - 6 * 3600_000 - 60_000);
    simulator = await startTestSimulator({
      seed: 'rivals',
      generation: { from: end - 6 * 3600, to: end - 1, emailsPerHour: 1200, lateRate: 0 },
      livePerSecond: 10,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await simulator?.close();
  }, 60_000);

  it.each([
    { variant: 'same host', ids: [undefined, undefined], order: 5 },
    { variant: 'two pods', ids: ['pod-a', 'pod-b'], order: 6 },
  ])(
    'one of two publishes, the other stands aside ($variant)',
    async ({ variant, ids, order }) => {
      const startedAt = Date.now();
      const operation = isolatedEnv('rivals');
      await simulator.control.live(10);
      const env = (id: string | undefined) =>
        pollerEnv(simulator, operation, {
          POLL_START_AT: startAt.toISOString(),
          POLL_INTERVAL_SECONDS: '1',
          POLL_LOOKBACK_SECONDS: '30',
          POLL_SETTLE_SECONDS: '1',
          ...(id ? { POLLER_INSTANCE_ID: id } : {}),
        });
      const rivals: Rival[] = await Promise.all(
        ids.map(async (id, i) => ({
          name: id ?? `process-${i}`,
          poller: await PollerProcess.start(env(id)),
        })),
      );
      started.push(...rivals.map((r) => r.poller));

      // Settled: one answers 200, the other 503 saying why it does not poll.
      await rivals[0].poller.waitFor(
        async () => {
          for (const rival of rivals) {
            const answer = await rival.poller
              .get<ReadyBody>('/health/ready')
              .catch(() => undefined);
            rival.ready = answer && { ...answer.body, httpStatus: answer.status };
          }
          const statuses = rivals.map((r) => r.ready?.httpStatus).sort();
          return (
            statuses[0] === 200 &&
            statuses[1] === 503 &&
            /fenced|standby/.test(reasons(rivals.find((r) => r.ready?.httpStatus === 503)!.ready))
          );
        },
        120_000,
        'one rival ready and the other fenced or on standby',
      );
      const active = rivals.find((r) => r.ready!.httpStatus === 200)!;
      const aside = rivals.find((r) => r.ready!.httpStatus === 503)!;
      const asideReason = reasons(aside.ready);
      note('rivals', `${variant}: ${active.name} publishes; ${aside.name}: ${asideReason}`);

      // For a while (emails keep coming), only the active one publishes.
      const before = { active: published(active.poller), aside: published(aside.poller) };
      await waitForCursorPast(active.poller, new Date(Date.now() + 10_000));
      const after = { active: published(active.poller), aside: published(aside.poller) };

      await simulator.control.live(0);
      await waitForCursorPast(active.poller, new Date(Date.now() + 1000));
      const stillAside = await aside.poller.get<ReadyBody>('/health/ready');
      await Promise.all(rivals.map((r) => r.poller.stop()));

      const check = await checkStream(kafka, operation, simulator);
      recordRow({
        id: `rival-pollers-${variant.replace(' ', '-')}`,
        order,
        fault: `two pollers of one operation started together (${variant})`,
        test: 'test/rival-pollers.e2e-spec.ts',
        injected: 1,
        runs: 2,
        durationSeconds: secondsSince(startedAt),
        notes: [
          `instance ids: ${ids.map((id) => id ?? 'the host name').join(', ')}`,
          `${active.name} published ${after.active} windows; ${aside.name} published ${after.aside}, none after the other took over, and answered 503: ${asideReason}`,
        ],
        check,
      });

      expect(check.total).toEqual(exactlyOnce(check.total.expected));
      expect(after.active).toBeGreaterThan(before.active);
      expect(after.aside).toBe(before.aside);
      expect(stillAside.status).toBe(503);
    },
    300_000,
  );
});
