import kafkajs, { type Admin } from 'kafkajs';
import { loadConfig } from '../apps/poller/src/config/poller-config.js';
import { ensureTopics } from '../apps/poller/src/kafka/topic-admin.js';
import { topicSpecs } from '../apps/poller/src/kafka/topic-specs.js';
import { testBrokers, testKafka } from './support/kafka.js';
import { isolatedEnv } from './support/poller-app.js';

const { ConfigResourceTypes } = kafkajs;

/**
 * The topics the poller creates carry the retention the configuration asks for, as the broker
 * reports it (not merely as the poller sent it): "replay from the beginning" then reaches as
 * far back as documented, whatever the broker's default. A topic that already exists keeps its
 * own retention, and the poller says so rather than changing it.
 */
describe('retention of the topics the poller creates', () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = testKafka('retention-e2e').admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  function specs(env: Record<string, string>) {
    const result = loadConfig({
      WOLKVOX_TOKEN: 't',
      KAFKA_BROKERS: testBrokers().join(','),
      ...env,
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return { specs: topicSpecs(result.config), topics: result.config.topics };
  }

  async function retentionOf(topics: string[]): Promise<Record<string, string | undefined>> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['retention.ms', 'cleanup.policy'],
      })),
    });
    return Object.fromEntries(
      described.resources.map((r) => [
        r.resourceName,
        `${r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue} ${
          r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue
        }`,
      ]),
    );
  }

  it('sets EVENTS_RETENTION_MS and DEAD_LETTER_RETENTION_MS on the history topics', async () => {
    const { specs: wanted, topics } = specs({
      ...isolatedEnv('retention'),
      EVENTS_RETENTION_MS: '-1',
      DEAD_LETTER_RETENTION_MS: '172800000',
    });
    const { created } = await ensureTopics(admin, wanted);
    expect(created).toHaveLength(3);
    const broker = await retentionOf([topics.events, topics.deadLetters, topics.progress]);
    expect(broker[topics.events]).toBe('delete -1');
    expect(broker[topics.deadLetters]).toBe('delete 172800000');
    // The checkpoint is compacted: its retention is the broker's, and time never deletes the
    // latest checkpoint of a key.
    expect(broker[topics.progress]?.startsWith('compact ')).toBe(true);
  });

  it('leaves an existing topic its retention, and warns of the difference', async () => {
    const env = isolatedEnv('retention-existing');
    await ensureTopics(admin, specs({ ...env, EVENTS_RETENTION_MS: '86400000' }).specs);
    const again = specs({ ...env, EVENTS_RETENTION_MS: '-1' });
    const { created, warnings } = await ensureTopics(admin, again.specs);
    expect(created).toEqual([]);
    expect(warnings).toEqual([
      `topic ${again.topics.events} has retention.ms=86400000, the poller would create it with -1`,
    ]);
    expect((await retentionOf([again.topics.events]))[again.topics.events]).toBe('delete 86400000');
  });
});
