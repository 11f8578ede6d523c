import { createRequire } from 'node:module';
import { Kafka } from 'kafkajs';
import { loadConfig } from '../config/poller-config.js';
import { KAFKA_RETRY, kafkaConfigFrom, retryBudgetMs } from './kafka-factory.js';

const require = createRequire(import.meta.url);
// kafkajs's own encoders of a SASL exchange: what it sends is what they read from the options.
const plainRequest = require('kafkajs/src/protocol/sasl/plain/request.js') as (sasl: object) => {
  encode(): Promise<{ toString(): string }>;
};
const { SCRAM, DIGESTS } = require('kafkajs/src/broker/saslAuthenticator/scram.js') as {
  SCRAM: new (sasl: object, ...rest: unknown[]) => { encodedPassword(): string };
  DIGESTS: { SHA512: unknown };
};

describe('kafkaConfigFrom with KAFKA_SASL_PASSWORD_FILE', () => {
  function withPasswordFile(mechanism: string) {
    const file = { content: 'pw-first\n', reads: 0 };
    const result = loadConfig(
      {
        WOLKVOX_SERVER: '0010',
        WOLKVOX_TOKEN: 'tok',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'poller',
        KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka/password',
      },
      () => {
        file.reads += 1;
        return file.content;
      },
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return { file, options: kafkaConfigFrom(result.config.kafka) };
  }

  it('hands kafkajs the file as it is when a connection authenticates, not as it was at start', async () => {
    const { file, options } = withPasswordFile('plain');
    const sasl = options.sasl!;
    new Kafka(options);
    const readsAtStart = file.reads;

    expect((await plainRequest(sasl).encode()).toString()).toContain('pw-first');
    file.content = 'pw-rotated\n';
    expect((await plainRequest(sasl).encode()).toString()).toContain('pw-rotated');
    expect(file.reads).toBeGreaterThan(readsAtStart);
  });

  it('does the same for SCRAM', () => {
    const { file, options } = withPasswordFile('scram-sha-512');
    const scram = new SCRAM(options.sasl!, 'broker', 9092, undefined, undefined, DIGESTS.SHA512);
    expect(scram.encodedPassword()).toBe('pw-first');
    file.content = 'pw-rotated';
    expect(scram.encodedPassword()).toBe('pw-rotated');
  });

  it('keeps the password in use while the file is unreadable', () => {
    const { file, options } = withPasswordFile('plain');
    file.content = '';
    expect((options.sasl as { password: string }).password).toBe('pw-first');
  });
});

describe('KAFKA_RETRY', () => {
  it("outlasts a node's fencing with Kafka's defaults (9 s) and an election, within a window's patience", () => {
    expect(retryBudgetMs(KAFKA_RETRY)).toBeGreaterThan(12_000);
    expect(retryBudgetMs(KAFKA_RETRY)).toBeLessThan(20_000);
  });

  it('waits no more than a second between attempts', () => {
    expect(KAFKA_RETRY.maxRetryTime).toBeLessThanOrEqual(1_000);
    expect(KAFKA_RETRY.initialRetryTime).toBeLessThanOrEqual(100);
  });

  it("sums kafkajs's waits: the settings before gave up after about 9 s", () => {
    expect(retryBudgetMs({ retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 })).toBe(
      300 + 600 + 1200 + 2400 + 4800,
    );
    expect(retryBudgetMs(KAFKA_RETRY)).toBe(100 + 200 + 400 + 800 + 16 * 1000);
  });
});
