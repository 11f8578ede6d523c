import { inspect } from 'node:util';
import { loadConfig } from './poller-config.js';

const minimal = { WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 's3cr3t-token' };

describe('loadConfig', () => {
  it('fills documented defaults around the required values', () => {
    const result = loadConfig(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result;
    expect(config.wolkvox).toMatchObject({
      server: '0010',
      timeZone: 'America/Bogota',
      maxConcurrency: 1,
      callTimeoutMs: 60_000,
    });
    expect(config.wolkvox.token.reveal()).toBe('s3cr3t-token');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.poll).toMatchObject({ intervalSeconds: 300, lookbackSeconds: 3600 });
    expect(config.http.port).toBe(8080);
  });

  it('reports every bad value on a line of its own, naming the variable', () => {
    const result = loadConfig({
      WOLKVOX_SERVER: 'evil.com/x',
      WOLKVOX_TIMEZONE: 'Mars/Base',
      WOLKVOX_MAX_CONCURRENCY: '3',
      KAFKA_BROKERS: 'localhost',
      POLL_START_AT: 'yesterday',
      POLL_INTERVAL_SECONDS: '-5',
      HTTP_PORT: '70000',
      KAFKA_SASL_MECHANISM: 'gssapi',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'WOLKVOX_SERVER',
        'WOLKVOX_TOKEN',
        'WOLKVOX_TIMEZONE',
        'WOLKVOX_MAX_CONCURRENCY',
        'KAFKA_BROKERS',
        'POLL_START_AT',
        'POLL_INTERVAL_SECONDS',
        'HTTP_PORT',
        'KAFKA_SASL_MECHANISM',
      ]),
    );
    for (const problem of result.problems) expect(problem).not.toContain('\n');
  });

  it('never repeats a secret in a problem or when printed', () => {
    const bad = loadConfig({
      ...minimal,
      WOLKVOX_TOKEN_FILE: '/x',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_PASSWORD: 'pw-123',
    });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toMatch(/s3cr3t-token|pw-123/);

    const good = loadConfig({
      ...minimal,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'pw-123',
    });
    expect(good.ok).toBe(true);
    const printed = `${JSON.stringify(good)} ${inspect(good, { depth: 10 })} ${String((good as { config: { wolkvox: { token: unknown } } }).config.wolkvox.token)}`;
    expect(printed).not.toMatch(/s3cr3t-token|pw-123/);
  });

  it('reads the token from a file, trimmed, and says when it cannot', () => {
    const fromFile = loadConfig(
      { WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN_FILE: '/run/secrets/token' },
      () => 'file-token\n',
    );
    expect(fromFile.ok && fromFile.config.wolkvox.token.reveal()).toBe('file-token');
    const missing = loadConfig({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN_FILE: '/nope' }, () => {
      throw Object.assign(new Error('x'), { code: 'ENOENT' });
    });
    expect(missing).toEqual({
      ok: false,
      problems: ['WOLKVOX_TOKEN_FILE: cannot read /nope (ENOENT)'],
    });
  });

  it('gives the history topics an explicit retention: -1 (forever) or at least an hour', () => {
    const defaults = loadConfig(minimal);
    expect(defaults.ok && defaults.config.kafka).toMatchObject({
      eventsRetentionMs: 90 * 86_400_000,
      deadLetterRetentionMs: 30 * 86_400_000,
    });
    const set = loadConfig({
      ...minimal,
      EVENTS_RETENTION_MS: '-1',
      DEAD_LETTER_RETENTION_MS: '3600000',
    });
    expect(set.ok && set.config.kafka).toMatchObject({
      eventsRetentionMs: -1,
      deadLetterRetentionMs: 3_600_000,
    });
    const bad = loadConfig({
      ...minimal,
      EVENTS_RETENTION_MS: '0',
      DEAD_LETTER_RETENTION_MS: '7d',
    });
    expect(bad).toEqual({
      ok: false,
      problems: [
        'EVENTS_RETENTION_MS: must be -1 (forever) or at least 3600000 (one hour) (got "0")',
        'DEAD_LETTER_RETENTION_MS: must be a whole number of milliseconds, or -1 to keep forever (got "7d")',
      ],
    });
  });

  it('refuses a token file whose token could not travel as a header, without quoting it', () => {
    const result = loadConfig(
      { WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN_FILE: '/run/secrets/token' },
      () => 'two words\n',
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        'WOLKVOX_TOKEN_FILE: /run/secrets/token: must be visible ASCII characters, no spaces',
      ],
    });
  });

  it('reads the SASL password from KAFKA_SASL_PASSWORD_FILE, and wants exactly one of the two', () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'poller' };
    const fromFile = loadConfig(
      { ...minimal, ...sasl, KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka/password' },
      (path) => (path === '/run/secrets/kafka/password' ? 'pw from file\n' : ''),
    );
    expect(fromFile.ok && fromFile.config.kafka.sasl?.password.reveal()).toBe('pw from file');
    expect(fromFile.ok && fromFile.config.kafka.sasl?.password.path).toBe(
      '/run/secrets/kafka/password',
    );

    const both = loadConfig({
      ...minimal,
      ...sasl,
      KAFKA_SASL_PASSWORD: 'pw-123',
      KAFKA_SASL_PASSWORD_FILE: '/x',
    });
    const neither = loadConfig({ ...minimal, ...sasl });
    for (const result of [both, neither]) {
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.problems).toEqual([
          expect.stringMatching(/^KAFKA_SASL_PASSWORD: set exactly one/),
        ]);
    }
    expect(JSON.stringify(both)).not.toContain('pw-123');
  });

  it('schedules the reconciliation pass daily at 03:00 over 3 days unless told, and checks both', () => {
    const result = loadConfig(minimal);
    expect(result.ok && result.config.poll.reconcile).toEqual({ days: 3, atMinute: 180 });
    const set = loadConfig({ ...minimal, POLL_RECONCILE_AT: '23:45', POLL_RECONCILE_DAYS: '0' });
    expect(set.ok && set.config.poll.reconcile).toEqual({ days: 0, atMinute: 23 * 60 + 45 });
    const bad = loadConfig({ ...minimal, POLL_RECONCILE_AT: '3:00', POLL_RECONCILE_DAYS: '40' });
    expect(bad.ok ? [] : bad.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'POLL_RECONCILE_AT',
      'POLL_RECONCILE_DAYS',
    ]);
  });

  it('treats empty variables as unset', () => {
    const result = loadConfig({ ...minimal, WOLKVOX_BASE_URL: '', POLL_START_AT: '' });
    expect(result.ok && result.config.wolkvox.baseUrl).toBeUndefined();
  });

  it.each([
    ['a port out of range', 'kafka-1:99999', /"kafka-1:99999" has port 99999, outside 1\.\.65535/],
    ['port 0', 'kafka-1:0', /has port 0, outside/],
    [
      'a zero-width space in front',
      '\u200b127.0.0.1:9092',
      /stray character U\+200B at position 1/,
    ],
    [
      'an escape sequence in front',
      '\u001b[0m127.0.0.1:9092',
      /stray character U\+001B at position 1/,
    ],
    ['a space inside', 'kafka 1:9092', /stray character U\+0020 at position 6/],
    ['a bad IPv4', '256.0.0.1:9092', /not a valid IPv4 address/],
    ['no host', ':9092', /has no host/],
    ['a host that is not a name', 'kafka..local:9092', /host name that is not/],
    ['a port that is not a number', 'kafka-1:http', /must end in :port/],
    ['no port', 'localhost', /must be a comma-separated host:port list/],
  ])('refuses a broker address with %s, in one line', (_, address, expected) => {
    const result = loadConfig({ ...minimal, KAFKA_BROKERS: `127.0.0.1:9092,${address}` });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^KAFKA_BROKERS: /);
    expect(result.problems[0]).toMatch(expected);
    expect(result.problems[0]).not.toContain('\n');
  });

  it('accepts host names, IPv4, bracketed IPv6 and several brokers', () => {
    const result = loadConfig({
      ...minimal,
      KAFKA_BROKERS: 'kafka-0.kafka.ns.svc.cluster.local:9092, 10.0.0.7:9093,[::1]:9094',
    });
    expect(result.ok && result.config.kafka.brokers).toEqual([
      'kafka-0.kafka.ns.svc.cluster.local:9092',
      '10.0.0.7:9093',
      '[::1]:9094',
    ]);
  });

  it('runs on kafkajs unless KAFKA_CLIENT names @platformatic/kafka, and refuses any other', () => {
    const client = (env: Record<string, string>) => {
      const result = loadConfig({ ...minimal, ...env });
      return result.ok ? result.config.kafka.client : result.problems;
    };
    expect(client({})).toBe('kafkajs');
    expect(client({ KAFKA_CLIENT: ' Platformatic ' })).toBe('platformatic');
    expect(client({ KAFKA_CLIENT: 'librdkafka' })).toEqual([
      'KAFKA_CLIENT: must be kafkajs or platformatic (got "librdkafka")',
    ]);
    expect(client({ KAFKA_CLIEN: 'platformatic' })).toEqual([
      'KAFKA_CLIEN: is not a setting; did you mean KAFKA_CLIENT?',
    ]);
  });

  it('refuses a near miss of a known variable, naming the one meant', () => {
    const result = loadConfig({
      ...minimal,
      POLL_INTERVAL_SECOND: '5',
      KAFKA_REPLICATON_FACTOR: '3',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.sort()).toEqual([
      'KAFKA_REPLICATON_FACTOR: is not a setting; did you mean KAFKA_REPLICATION_FACTOR?',
      'POLL_INTERVAL_SECOND: is not a setting; did you mean POLL_INTERVAL_SECONDS?',
    ]);
  });

  it('only warns of other unknown variables with its prefixes, and ignores the rest', () => {
    const result = loadConfig({
      ...minimal,
      KAFKA_SERVICE_HOST: '10.0.0.1',
      KAFKA_PORT_9092_TCP: 'tcp://10.0.0.1:9092',
      POLL_INTERVAL_MINUTES: '5',
      HOME: '/root',
      SIM_PORT: '8089',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      'KAFKA_SERVICE_HOST: is not a setting of the poller, ignored',
      'KAFKA_PORT_9092_TCP: is not a setting of the poller, ignored',
      'POLL_INTERVAL_MINUTES: is not a setting of the poller, ignored; closest: POLL_INTERVAL_SECONDS',
    ]);
  });

  it('describes the settings in effect on one line, defaults included, secrets masked', () => {
    const result = loadConfig({
      ...minimal,
      POLL_INTERVAL_SECONDS: '5',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'pw-123',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings).not.toContain('\n');
    expect(result.settings).not.toMatch(/s3cr3t-token|pw-123/);
    expect(result.settings).toContain('WOLKVOX_TOKEN=***');
    expect(result.settings).toContain('KAFKA_SASL_PASSWORD=***');
    expect(result.settings).toContain('POLL_INTERVAL_SECONDS=5');
    expect(result.settings).toContain('POLL_LOOKBACK_SECONDS=3600');
    expect(result.settings).toContain('KAFKA_BROKERS=127.0.0.1:9092');
  });
});
