import { inspect } from 'node:util';
import { configFromEnv } from '../config/__tests__/config-from-env.js';
import { kafkaSsl } from './kafka-tls-options.js';

describe('kafkaSsl', () => {
  it('is false without TLS and true (Node’s trusted CAs) with KAFKA_SSL alone', () => {
    expect(kafkaSsl(configFromEnv().kafka)).toBe(false);
    expect(kafkaSsl(configFromEnv({ KAFKA_SSL: 'true' }).kafka)).toBe(true);
  });

  it('gives tls.connect the files, the key and passphrase only when kafkajs merges it', () => {
    const kafka = configFromEnv().kafka;
    const key = { reveal: () => 'KEY-PEM' } as never;
    const passphrase = { reveal: () => 'PASS' } as never;
    const ssl = kafkaSsl({
      ...kafka,
      ssl: true,
      tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key, passphrase },
    });
    // What kafkajs 2.2.4's socketFactory.js does with it for each connection.
    const merged = Object.assign({ host: 'b', port: 9093 }, ssl);
    expect(merged).toEqual({
      host: 'b',
      port: 9093,
      ca: 'CA-PEM',
      cert: 'CERT-PEM',
      key: 'KEY-PEM',
      passphrase: 'PASS',
    });
    for (const shown of [JSON.stringify(ssl), inspect(ssl)]) {
      expect(shown).not.toContain('KEY-PEM');
      expect(shown).not.toContain('PASS');
    }
  });

  it('leaves out what is not set, so Node’s own CAs stay in use without a CA file', () => {
    const kafka = configFromEnv().kafka;
    const ssl = kafkaSsl({
      ...kafka,
      ssl: true,
      tls: { ca: undefined, cert: 'C', key: { reveal: () => 'K' } as never, passphrase: undefined },
    });
    expect(Object.keys(ssl as object).sort()).toEqual(['cert', 'key']);
  });
});
