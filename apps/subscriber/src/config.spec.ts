import { readConfig } from './config.js';

describe('readConfig', () => {
  it('needs only the brokers, and names everything else after the group', () => {
    expect(readConfig({ KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9092' })).toEqual({
      ok: true,
      config: {
        brokers: ['127.0.0.1:9092', 'kafka-2:9092'],
        groupId: 'email-sent-subscriber',
        eventsTopic: 'wolkvox.email.sent.v1',
        deadLettersTopic: 'wolkvox.email.sent.dlq.v1',
        parkedTopic: 'email-sent-subscriber.parked',
        handledKeysFile: 'handled-keys.email-sent-subscriber.txt',
        fromBeginning: true,
        sessionTimeoutMs: 10_000,
      },
    });
  });

  it('takes a new group, its own store and parked topic with it', () => {
    const reading = readConfig({ KAFKA_BROKERS: 'k:9092', SUBSCRIBER_GROUP_ID: 'replay-1' });
    expect(reading.ok && reading.config).toMatchObject({
      groupId: 'replay-1',
      parkedTopic: 'replay-1.parked',
      handledKeysFile: 'handled-keys.replay-1.txt',
    });
  });

  it('reports every problem, one line each', () => {
    expect(
      readConfig({
        KAFKA_BROKERS: 'nohost',
        EMAIL_SENT_TOPIC: 'bad topic',
        SUBSCRIBER_FROM_BEGINNING: 'yes',
        SUBSCRIBER_SESSION_TIMEOUT_MS: '1000',
      }),
    ).toEqual({
      ok: false,
      problems: [
        'KAFKA_BROKERS: "nohost" is not host:port',
        'EMAIL_SENT_TOPIC: "bad topic" is not a Kafka topic name',
        'SUBSCRIBER_FROM_BEGINNING: "yes" is not true or false',
        'SUBSCRIBER_SESSION_TIMEOUT_MS: must be whole milliseconds from 6000 to 300000',
      ],
    });
    expect(readConfig({})).toEqual({
      ok: false,
      problems: ['KAFKA_BROKERS: required, e.g. 127.0.0.1:9092'],
    });
  });
});
