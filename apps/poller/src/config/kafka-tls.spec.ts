import { inspect } from 'node:util';
import { loadConfig } from './poller-config.js';
import {
  CA_PEM,
  CLIENT_CERT_PEM,
  CLIENT_KEY_ENCRYPTED_PEM,
  CLIENT_KEY_PEM,
  FIXTURE_PASSPHRASE,
  OTHER_KEY_PEM,
} from './__tests__/tls-fixtures.js';

/** Files by path; a path not listed is missing (ENOENT). */
const FILES: Record<string, string> = {
  '/tls/ca.pem': CA_PEM,
  '/tls/bundle.pem': `${CA_PEM}${CLIENT_CERT_PEM}`,
  '/tls/client.pem': CLIENT_CERT_PEM,
  '/tls/client.key': CLIENT_KEY_PEM,
  '/tls/client-enc.key': CLIENT_KEY_ENCRYPTED_PEM,
  '/tls/client-key.pass': `${FIXTURE_PASSPHRASE}\n`,
  '/tls/wrong.pass': 'not-the-passphrase\n',
  '/tls/other.key': OTHER_KEY_PEM,
  '/tls/empty.pem': '\n',
  '/tls/garbage.pem': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
};

function readFile(path: string): string {
  if (path in FILES) return FILES[path];
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
}

function load(env: Record<string, string>) {
  return loadConfig({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 'tok', ...env }, readFile);
}

function problemsOf(env: Record<string, string>): string[] {
  const result = load(env);
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.problems;
}

function kafkaOf(env: Record<string, string>) {
  const result = load(env);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config.kafka;
}

const MTLS = {
  KAFKA_SSL_CA_FILE: '/tls/ca.pem',
  KAFKA_SSL_CERT_FILE: '/tls/client.pem',
  KAFKA_SSL_KEY_FILE: '/tls/client-enc.key',
  KAFKA_SSL_KEY_PASSPHRASE_FILE: '/tls/client-key.pass',
};

describe('Kafka TLS settings', () => {
  it('leave TLS off and carry no files when none is set', () => {
    expect(kafkaOf({})).toMatchObject({ ssl: false, tls: undefined });
    expect(kafkaOf({ KAFKA_SSL: 'true' })).toMatchObject({ ssl: true, tls: undefined });
  });

  it('turn TLS on with a CA file alone, holding its content', () => {
    const kafka = kafkaOf({ KAFKA_SSL_CA_FILE: '/tls/ca.pem' });
    expect(kafka.ssl).toBe(true);
    expect(kafka.tls).toEqual({
      ca: CA_PEM,
      cert: undefined,
      key: undefined,
      passphrase: undefined,
    });
  });

  it('accept a bundle of several CA certificates', () => {
    expect(kafkaOf({ KAFKA_SSL_CA_FILE: '/tls/bundle.pem' }).tls?.ca).toContain(CLIENT_CERT_PEM);
  });

  it('take a client certificate with its key, plain or opened by the passphrase file', () => {
    const plain = kafkaOf({
      KAFKA_SSL_CERT_FILE: '/tls/client.pem',
      KAFKA_SSL_KEY_FILE: '/tls/client.key',
    });
    expect(plain.ssl).toBe(true);
    expect(plain.tls?.key?.reveal()).toBe(CLIENT_KEY_PEM);
    const encrypted = kafkaOf(MTLS).tls!;
    expect(encrypted.key?.reveal()).toBe(CLIENT_KEY_ENCRYPTED_PEM);
    // Trimmed: a passphrase written with echo ends with a newline that is not part of it.
    expect(encrypted.passphrase?.reveal()).toBe(FIXTURE_PASSPHRASE);
  });

  it.each([
    [
      { KAFKA_SSL_CA_FILE: '/tls/missing.pem' },
      'KAFKA_SSL_CA_FILE: cannot read /tls/missing.pem (ENOENT)',
    ],
    [{ KAFKA_SSL_CA_FILE: '/tls/empty.pem' }, 'KAFKA_SSL_CA_FILE: /tls/empty.pem is empty'],
    [
      { KAFKA_SSL_CA_FILE: '/tls/client.key' },
      'KAFKA_SSL_CA_FILE: /tls/client.key holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    ],
    [
      { KAFKA_SSL_CA_FILE: '/tls/garbage.pem' },
      'KAFKA_SSL_CA_FILE: /tls/garbage.pem holds a certificate that cannot be parsed (number 1 in the file)',
    ],
    [
      { NODE_EXTRA_CA_CERTS: '/tls/missing.pem' },
      'NODE_EXTRA_CA_CERTS: cannot read /tls/missing.pem (ENOENT)',
    ],
    [
      { KAFKA_SSL_CERT_FILE: '/tls/client.pem' },
      'KAFKA_SSL_KEY_FILE: set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, or neither',
    ],
    [
      { KAFKA_SSL_KEY_FILE: '/tls/client.key' },
      'KAFKA_SSL_CERT_FILE: set both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, or neither',
    ],
    [
      { KAFKA_SSL_KEY_PASSPHRASE_FILE: '/tls/client-key.pass' },
      'KAFKA_SSL_KEY_PASSPHRASE_FILE: is only used with KAFKA_SSL_KEY_FILE',
    ],
    [
      { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/tls/ca.pem' },
      'KAFKA_SSL: is false, but KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE or KAFKA_SSL_KEY_FILE is set, which means TLS',
    ],
    [
      { ...MTLS, KAFKA_SSL_KEY_FILE: '/tls/client.pem' },
      'KAFKA_SSL_KEY_FILE: /tls/client.pem holds no PEM private key (-----BEGIN PRIVATE KEY-----)',
    ],
    [
      { ...MTLS, KAFKA_SSL_KEY_PASSPHRASE_FILE: '' },
      'KAFKA_SSL_KEY_FILE: /tls/client-enc.key is encrypted: give its passphrase in KAFKA_SSL_KEY_PASSPHRASE_FILE',
    ],
    [
      { ...MTLS, KAFKA_SSL_KEY_PASSPHRASE_FILE: '/tls/wrong.pass' },
      'KAFKA_SSL_KEY_PASSPHRASE_FILE: /tls/wrong.pass does not open the key in /tls/client-enc.key',
    ],
    [
      { ...MTLS, KAFKA_SSL_KEY_FILE: '/tls/other.key', KAFKA_SSL_KEY_PASSPHRASE_FILE: '' },
      'KAFKA_SSL_KEY_FILE: /tls/other.key is not the key of the certificate in /tls/client.pem',
    ],
  ])('refuse %j with one line: %s', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('are reported together with the other variables’ problems', () => {
    const problems = problemsOf({ HTTP_PORT: 'x', KAFKA_SSL_CA_FILE: '/tls/missing.pem' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['HTTP_PORT', 'KAFKA_SSL_CA_FILE']);
  });

  it('never show the key or the passphrase, in a problem or when the config is printed', () => {
    const problems = problemsOf({ ...MTLS, KAFKA_SSL_KEY_PASSPHRASE_FILE: '/tls/wrong.pass' });
    const kafka = kafkaOf(MTLS);
    const keyLine = CLIENT_KEY_ENCRYPTED_PEM.split('\n')[1];
    for (const text of [problems.join('\n'), inspect(kafka, { depth: 5 }), JSON.stringify(kafka)]) {
      expect(text).not.toContain(keyLine);
      expect(text).not.toContain(FIXTURE_PASSPHRASE);
      expect(text).not.toContain('not-the-passphrase');
    }
  });
});
