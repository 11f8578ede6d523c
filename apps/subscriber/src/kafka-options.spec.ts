import { readConfig } from './config.js';
import { kafkaOptions } from './kafka-options.js';

describe('kafkaOptions', () => {
  const reading = readConfig({ KAFKA_BROKERS: 'k:9092', SUBSCRIBER_SESSION_TIMEOUT_MS: '9000' });
  if (!reading.ok) throw new Error(reading.problems.join('; '));
  const options = kafkaOptions(reading.config);

  it('reads committed records only and commits offsets itself, after handling', () => {
    expect(options?.consumer).toMatchObject({ readUncommitted: false, sessionTimeout: 9000 });
    expect(options?.run).toEqual({ autoCommit: false });
  });

  it('joins Kafka as the configured group, without Nest\'s "-server" suffix', () => {
    expect(options?.consumer?.groupId).toBe('email-sent-subscriber');
    expect(options?.postfixId).toBe('');
  });

  it('hands the decoder the value as bytes', () => {
    expect(options?.parser).toEqual({ keepBinary: true });
  });
});
