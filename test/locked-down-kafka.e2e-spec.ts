import { wallTimeOf } from '@app/contracts';
import type { Kafka } from 'kafkajs';
import {
  liveTransactionalId,
  requiredAcls,
  type RequiredAcl,
} from '../apps/poller/src/kafka/required-acls.js';
import { KAFKA_CLIENTS } from '../apps/poller/src/kafka/kafka-client.js';
import { expectedKeys, expectExactlyOnce } from './support/ground-truth.js';
import { isolatedEnv, readDeadLetters, readEvents } from './support/poller-app.js';
import { PollerProcess, type ReadyBody } from './support/poller-process.js';
import { logged, note, pollerEnv, waitForPasses, ZONE } from './support/reliability.js';
import { SecureBroker } from './support/secure-broker.js';
import { cdr9Record, startTestSimulator, type TestSimulator } from './support/simulator.js';
import { createTopicsWithLeaders } from '../apps/poller/src/kafka/topic-leaders.js';

/** Emails of these body sizes among small ones: under, over and far over a 1 MB topic limit. */
const LARGE = { small: 900_000, medium: 1_500_000, huge: 9_000_000 } as const;

/**
 * The poller on a broker locked down as enterprises run theirs: SASL/SCRAM-SHA-512, the
 * StandardAuthorizer allowing nothing without an ACL, the three topics created beforehand by an
 * admin with the broker's defaults (so `max.message.bytes` is about 1 MB), and the poller's
 * principal granted exactly the ACLs docs/OPERATIONS.md lists (required-acls.ts, which the docs
 * are checked against). Topics read back with the admin's client, read_committed. The tests of
 * what the client meets (SCRAM, the ACLs, the topics' limit, a refusal named) run on each client
 * KAFKA_CLIENT names, on the same broker.
 */
describe('a locked-down Kafka: SCRAM, ACLs only, topics made by an admin', () => {
  let broker: SecureBroker;
  let admin: Kafka;
  let simulator: TestSimulator;
  let poller: PollerProcess | undefined;

  beforeAll(async () => {
    broker = await SecureBroker.start();
    admin = broker.adminKafka();
    simulator = await startTestSimulator({ seed: 'locked-down' });
    const nowWall = wallTimeOf(new Date(), ZONE);
    const body = (bytes: number) => ({ body: `<p>${'x'.repeat(bytes)}</p>` });
    // Small emails around the large ones: everything after a refused one must be published too.
    await simulator.control.append(
      [
        cdr9Record(nowWall - 600, 1),
        cdr9Record(nowWall - 590, 2, body(LARGE.small)),
        cdr9Record(nowWall - 580, 3),
        cdr9Record(nowWall - 570, 4, body(LARGE.medium)),
        cdr9Record(nowWall - 560, 5),
        cdr9Record(nowWall - 550, 6, body(LARGE.huge)),
        cdr9Record(nowWall - 540, 7),
        cdr9Record(nowWall - 530, 8),
      ].map((record) => ({ record })),
    );
  }, 240_000);

  // Also when a test fails half-way: no poller outlives its test.
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
    await broker?.stop();
  }, 120_000);

  /** An operation whose topics the admin created with the broker's defaults, ACLs granted. */
  async function lockedDownOperation(
    name: string,
    leaveOut: (acl: RequiredAcl) => boolean,
    kafkaClient: string = 'kafkajs',
  ) {
    const operation = isolatedEnv(name);
    const topics = {
      events: operation.EMAIL_SENT_TOPIC,
      deadLetters: operation.EMAIL_DEAD_LETTER_TOPIC,
      progress: operation.POLLER_PROGRESS_TOPIC,
    };
    const client = admin.admin();
    await client.connect();
    try {
      await createTopicsWithLeaders(client, {
        topics: [
          { topic: topics.events, numPartitions: 3 },
          { topic: topics.deadLetters, numPartitions: 3 },
          {
            topic: topics.progress,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
    } finally {
      await client.disconnect();
    }
    const acls = requiredAcls({ topics, server: operation.WOLKVOX_SERVER });
    await broker.grant(acls.filter((acl) => !leaveOut(acl)));
    const env = pollerEnv(simulator, operation, {
      ...broker.pollerEnv(),
      POLL_START_AT: new Date(Date.now() - 3_600_000).toISOString(),
      POLL_INTERVAL_SECONDS: '1',
      KAFKA_CLIENT: kafkaClient,
    });
    return { operation, topics, acls, env };
  }

  /** Both topics hold every email once: the large ones as dead letters with their reason. */
  async function expectEveryEmailOnce(operation: Record<string, string>) {
    const truth = await simulator.control.truth();
    const expected = expectedKeys(operation.WOLKVOX_SERVER, truth);
    const sizeOf = (id: string) =>
      String(truth[expected.events.indexOf(id)].record.body).length - '<p></p>'.length;
    const large = expected.events.filter((id) => sizeOf(id) > LARGE.small);
    const events = await readEvents(admin, operation.EMAIL_SENT_TOPIC);
    expectExactlyOnce(
      expected.events.filter((id) => !large.includes(id)),
      events.map((e) => e.id),
      6,
    );
    expect(events.some((e) => e.data.record.body.length > LARGE.small)).toBe(true);
    const letters = await readDeadLetters(admin, operation.EMAIL_DEAD_LETTER_TOPIC);
    expect(letters).toHaveLength(2);
    expect(letters.map((d) => (d.letter.raw as { bodyLength: number }).bodyLength).sort()).toEqual(
      [LARGE.medium, LARGE.huge].map((bytes) => bytes + '<p></p>'.length),
    );
    for (const { letter } of letters) expect(letter.reason).toMatch(/^event-too-large: event /);
  }

  it.each(KAFKA_CLIENTS)(
    'on %s: publishes every email once with exactly the documented ACLs; the 1 MB topic limit is read at start',
    async (client) => {
      const { operation, env } = await lockedDownOperation(
        `acl-all-${client}`,
        () => false,
        client,
      );
      poller = await PollerProcess.start(env);
      await waitForPasses(poller, 2);
      const warnings = logged(poller, 'topic ');
      await poller.stop();
      await expectEveryEmailOnce(operation);
      // The poller said what differs from what it would have created, and sized events by it.
      expect(warnings.map((line) => line.msg)).toContain(
        `topic ${operation.EMAIL_SENT_TOPIC} has max.message.bytes=1048588, the poller would create it with 8388608`,
      );
    },
    300_000,
  );

  it('without DescribeConfigs: one warning naming it, the limit learnt from the first refusal', async () => {
    const { operation, env } = await lockedDownOperation(
      'acl-no-describe',
      (acl) => acl.operation === 'DescribeConfigs',
    );
    poller = await PollerProcess.start(env);
    await waitForPasses(poller, 2);
    const lines = poller.logLines();
    await poller.stop();
    const describe = lines.filter((l) => String(l.msg).includes('DescribeConfigs on topic'));
    expect(describe).toHaveLength(1);
    expect(describe[0].level).toBe('warn');
    expect(describe[0].msg).toContain(
      `--operation DescribeConfigs --topic ${operation.EMAIL_SENT_TOPIC}`,
    );
    // The window holding the 1.5 MB email was refused once, then published with it dead-lettered.
    // The poll loop's line (readiness may log the same reason once more when a probe sees it).
    const refusals = lines.filter((l) =>
      String(l.msg).startsWith('Kafka: a topic refused a message as too large'),
    );
    note('locked-down', `refusals before the limit was learnt: ${refusals.length}`);
    expect(refusals).toHaveLength(1);
    await expectEveryEmailOnce(operation);
  }, 300_000);

  it.each(KAFKA_CLIENTS)(
    "on %s: names a missing Write on the transactional id in the log and /health/ready, and is not 'fenced'",
    async (client) => {
      const { operation, acls, env } = await lockedDownOperation(
        `acl-no-txid-${client}`,
        (acl) => acl.resources.some((r) => r.name.startsWith(liveTransactionalId(''))),
        client,
      );
      const txid = liveTransactionalId(operation.WOLKVOX_SERVER);
      const command = `kafka-acls --bootstrap-server ${broker.address} --command-config admin.properties --add --allow-principal User:poller --operation Write --transactional-id ${txid}`;
      poller = await PollerProcess.start(env);
      const ready = await poller.waitForReady(503, 120_000, (body) =>
        String(body.error?.kafka?.message ?? '').includes(command),
      );
      expect(ready.body.error?.kafka?.message).toContain(
        `Kafka refused Write on transactional-id ${txid} to User:poller`,
      );
      expectNotFenced(ready.body);
      const named = poller.logLines().filter((l) => String(l.msg).includes(command));
      expect(named.length).toBeGreaterThanOrEqual(1);
      expect(poller.stdout).not.toMatch(/took over|fenced/);
      expect(poller.stdout).not.toContain(broker.pollerPassword);

      // Granting it is all it takes: the same process publishes everything.
      await broker.grant(acls.filter((acl) => acl.resources.some((r) => r.name === txid)));
      await waitForPasses(poller, 2);
      await poller.stop();
      await expectEveryEmailOnce(operation);
    },
    300_000,
  );

  it.each(KAFKA_CLIENTS)(
    'on %s: names a missing Read on the progress topic when the poller reads its checkpoint back',
    async (client) => {
      const { topics, env } = await lockedDownOperation(
        `acl-no-read-${client}`,
        () => false,
        client,
      );
      // A first run writes a checkpoint; the next start must read it back.
      poller = await PollerProcess.start(env);
      await waitForPasses(poller, 1);
      await poller.stop();
      await broker.grant(
        [
          {
            operation: 'Read',
            resources: [{ type: 'topic', name: topics.progress, pattern: 'literal' }],
            purpose: '',
            required: true,
          },
        ],
        true,
      );
      poller = await PollerProcess.start(env);
      const line = `Kafka refused Read on topic ${topics.progress} to User:poller (reading ${topics.progress}); grant it: kafka-acls --bootstrap-server ${broker.address} --command-config admin.properties --add --allow-principal User:poller --operation Read --topic ${topics.progress}`;
      const ready = await poller.waitForReady(503, 120_000, (body) =>
        JSON.stringify(body.error ?? {}).includes(line),
      );
      expectNotFenced(ready.body);
      expect(poller.logLines().some((l) => String(l.msg).includes(line))).toBe(true);
      await poller.stop();
    },
    300_000,
  );
});

function expectNotFenced(body: ReadyBody): void {
  expect(JSON.stringify(body)).not.toMatch(/fenced|took over/);
}
