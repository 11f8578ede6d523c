import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { POLLER_MAIN, PollerProcess, runToExit } from './support/poller-process.js';

/** Recognisable secrets: neither may ever be printed, whatever is wrong. */
const TOKEN = 'tok-SEKRET-7f3a9c21';
const PASSWORD = 'pw-SEKRET-b81d44';

/** A configuration the poller accepts; each case breaks one variable of it. */
const VALID: Record<string, string> = {
  WOLKVOX_SERVER: '0010',
  WOLKVOX_TOKEN: TOKEN,
  // Nothing listens there: a case that got past validation would fail later, and visibly.
  KAFKA_BROKERS: '127.0.0.1:1',
  POLL_START_AT: '2026-01-01T00:00:00-05:00',
};

const secretsDir = mkdtempSync(join(tmpdir(), 'poller-config-'));
const emptyTokenFile = join(secretsDir, 'token');
writeFileSync(emptyTokenFile, '\n');
/** A token that cannot travel as a header, in a file: refused without being quoted. */
const spacedTokenFile = join(secretsDir, 'spaced-token');
writeFileSync(spacedTokenFile, `${TOKEN} with spaces\n`);
const SASL = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' };
/** A "key" file that holds a secret and no PEM: refused without a word of it. */
const notPemFile = join(secretsDir, 'not-pem');
writeFileSync(notPemFile, `${PASSWORD}\n`);

type Case = [variable: string, change: Record<string, string | undefined>];

/** Each variable of docs/CONTRACT.md section 5 (and the poller's other settings) wrong in turn. */
const CASES: Case[] = [
  ['WOLKVOX_SERVER', { WOLKVOX_SERVER: undefined }],
  ['WOLKVOX_SERVER', { WOLKVOX_SERVER: 'evil.example.com/x' }],
  ['WOLKVOX_TOKEN', { WOLKVOX_TOKEN: undefined }],
  ['WOLKVOX_TOKEN', { WOLKVOX_TOKEN_FILE: '/run/secrets/token' }],
  ['WOLKVOX_TOKEN', { WOLKVOX_TOKEN: `${TOKEN} with spaces` }],
  ['WOLKVOX_TOKEN_FILE', { WOLKVOX_TOKEN: undefined, WOLKVOX_TOKEN_FILE: '/nonexistent/token' }],
  ['WOLKVOX_TOKEN_FILE', { WOLKVOX_TOKEN: undefined, WOLKVOX_TOKEN_FILE: emptyTokenFile }],
  ['WOLKVOX_TOKEN_FILE', { WOLKVOX_TOKEN: undefined, WOLKVOX_TOKEN_FILE: spacedTokenFile }],
  ['WOLKVOX_BASE_URL', { WOLKVOX_BASE_URL: 'ftp://wv0010.example.com' }],
  ['WOLKVOX_TIMEZONE', { WOLKVOX_TIMEZONE: 'Mars/Olympus_Mons' }],
  ['WOLKVOX_MAX_CONCURRENCY', { WOLKVOX_MAX_CONCURRENCY: '3' }],
  ['WOLKVOX_DAILY_QUOTA', { WOLKVOX_DAILY_QUOTA: 'lots' }],
  ['WOLKVOX_CALL_TIMEOUT_SECONDS', { WOLKVOX_CALL_TIMEOUT_SECONDS: '0' }],
  ['KAFKA_BROKERS', { KAFKA_BROKERS: 'localhost' }],
  ['KAFKA_BROKERS', { KAFKA_BROKERS: '127.0.0.1:99999' }],
  ['KAFKA_BROKERS', { KAFKA_BROKERS: '\u200b127.0.0.1:9092' }],
  ['KAFKA_BROKERS', { KAFKA_BROKERS: '\u001b[0m127.0.0.1:9092' }],
  ['POLL_INTERVAL_SECOND', { POLL_INTERVAL_SECOND: '5' }],
  ['KAFKA_SSL', { KAFKA_SSL: 'maybe' }],
  ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'gssapi' }],
  ['KAFKA_SASL_USERNAME', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: PASSWORD }],
  ['KAFKA_SASL_PASSWORD', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }],
  [
    'KAFKA_SASL_PASSWORD',
    { ...SASL, KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: '/x' },
  ],
  ['KAFKA_SASL_PASSWORD_FILE', { ...SASL, KAFKA_SASL_PASSWORD_FILE: '/nonexistent/password' }],
  ['KAFKA_SASL_PASSWORD_FILE', { ...SASL, KAFKA_SASL_PASSWORD_FILE: emptyTokenFile }],
  ['KAFKA_SSL_CA_FILE', { KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }],
  ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL_CERT_FILE: notPemFile, KAFKA_SSL_KEY_FILE: notPemFile }],
  ['KAFKA_REPLICATION_FACTOR', { KAFKA_REPLICATION_FACTOR: '0' }],
  ['KAFKA_PARTITIONS', { KAFKA_PARTITIONS: 'three' }],
  ['EMAIL_SENT_TOPIC', { EMAIL_SENT_TOPIC: 'email sent!' }],
  ['EMAIL_DEAD_LETTER_TOPIC', { EMAIL_DEAD_LETTER_TOPIC: 'dlq/v1' }],
  ['POLLER_PROGRESS_TOPIC', { POLLER_PROGRESS_TOPIC: 'progress:v1' }],
  ['EVENTS_MAX_MESSAGE_BYTES', { EVENTS_MAX_MESSAGE_BYTES: '10' }],
  ['POLL_START_AT', { POLL_START_AT: 'yesterday' }],
  ['POLL_START_AT', { POLL_START_AT: '2026-01-01T00:00:00' }],
  ['POLL_INTERVAL_SECONDS', { POLL_INTERVAL_SECONDS: '0' }],
  ['POLL_LOOKBACK_SECONDS', { POLL_LOOKBACK_SECONDS: '-60' }],
  ['POLL_SETTLE_SECONDS', { POLL_SETTLE_SECONDS: '1.5' }],
  ['POLL_LEASE_SECONDS', { POLL_LEASE_SECONDS: '2' }],
  ['POLLER_INSTANCE_ID', { POLLER_INSTANCE_ID: 'my pod' }],
  ['HTTP_PORT', { HTTP_PORT: '70000' }],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ['SHUTDOWN_TIMEOUT_SECONDS', { SHUTDOWN_TIMEOUT_SECONDS: 'forever' }],
];

function envWith(change: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string | undefined> = { ...VALID, ...change };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

describe('a bad configuration stops the poller before anything starts', () => {
  it.each(CASES)('%s wrong: exits non-zero naming it (%j)', async (variable, change) => {
    const run = await runToExit(POLLER_MAIN, [], envWith(change), 30_000);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^config error: ${variable}: `, 'm'));
    // One line per problem, and nothing else started: no Nest, no Kafka, no log line.
    for (const line of run.stderr.trim().split('\n'))
      expect(line).toMatch(/^config error: [A-Z_]+: /);
    expect(run.stdout).toBe('');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(PASSWORD);
  });

  it('reports every bad variable at once, each on a line of its own, with exit code 78', async () => {
    const run = await runToExit(
      POLLER_MAIN,
      [],
      envWith({
        WOLKVOX_TIMEZONE: 'Nowhere/City',
        HTTP_PORT: '-1',
        KAFKA_BROKERS: 'x',
        POLL_INTERVAL_SECONDS: 'soon',
      }),
      30_000,
    );
    expect(run.code).toBe(78);
    const named = run.stderr
      .trim()
      .split('\n')
      .map((line) => /^config error: ([A-Z_]+):/.exec(line)?.[1]);
    expect(named.sort()).toEqual([
      'HTTP_PORT',
      'KAFKA_BROKERS',
      'POLL_INTERVAL_SECONDS',
      'WOLKVOX_TIMEZONE',
    ]);
  });

  it('a busy HTTP port is one line and exit code 78, before anything starts', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = await runToExit(POLLER_MAIN, [], envWith({ HTTP_PORT: String(port) }), 30_000);
      expect(run.code).toBe(78);
      expect(run.stderr).toBe(
        `config error: HTTP_PORT: port ${port} is in use by another process; stop it or choose another HTTP_PORT\n`,
      );
      expect(run.stdout).toBe('');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe('a good configuration says what is in effect', () => {
  it('logs the settings in one line, secrets masked, and names unknown variables', async () => {
    const poller = await PollerProcess.start({
      ...VALID,
      POLL_INTERVAL_SECONDS: '7',
      KAFKA_SERVICE_HOST: '10.0.0.1',
    });
    try {
      await poller.waitFor(
        () =>
          Promise.resolve(
            poller.logLines().some((l) => String(l.msg).startsWith('settings in effect')),
          ),
        30_000,
        'the settings line',
      );
      const config = poller.logLines().filter((l) => l.context === 'Config');
      expect(config.map((l) => [l.level, l.msg])).toEqual([
        ['warn', 'KAFKA_SERVICE_HOST: is not a setting of the poller, ignored'],
        ['info', expect.stringMatching(/^settings in effect: WOLKVOX_SERVER=0010 /)],
      ]);
      expect(String(config[1].msg)).toContain('POLL_INTERVAL_SECONDS=7');
      expect(String(config[1].msg)).toContain('WOLKVOX_TOKEN=***');
      expect(`${poller.stdout}${poller.stderr}`).not.toContain(TOKEN);
    } finally {
      await poller.stop();
    }
  }, 60_000);
});
