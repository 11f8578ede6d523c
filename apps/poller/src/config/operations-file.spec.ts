import { readFileSync } from 'node:fs';
import { loadFleet } from './operations-file.js';

const TOKENS: Record<string, string> = {
  '/s/0010': 'token-0010\n',
  '/s/0020': 'token-0020\n',
};

function fleet(operations: unknown, env: Record<string, string> = {}) {
  const files: Record<string, string> = {
    ...TOKENS,
    '/etc/fleet.json': typeof operations === 'string' ? operations : JSON.stringify(operations),
  };
  return loadFleet({ POLLER_OPERATIONS_FILE: '/etc/fleet.json', ...env }, (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return text;
  });
}

const entry = (server: string, more: Record<string, unknown> = {}) => ({
  WOLKVOX_SERVER: server,
  WOLKVOX_TOKEN_FILE: `/s/${server}`,
  ...more,
});

describe('the operations file', () => {
  it('gives one configuration per entry, the environment being every entry’s default', () => {
    const result = fleet(
      {
        operations: [
          entry('0010', { WOLKVOX_DAILY_QUOTA: 5000, POLL_INTERVAL_SECONDS: 60 }),
          entry('0020', { WOLKVOX_TIMEZONE: 'America/Mexico_City' }),
        ],
      },
      { WOLKVOX_TIMEZONE: 'America/Lima', KAFKA_BROKERS: 'kafka:9092' },
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const [first, second] = result.operations;
    expect(first.wolkvox).toMatchObject({
      server: '0010',
      timeZone: 'America/Lima',
      dailyQuota: 5000,
    });
    expect(first.poll.intervalSeconds).toBe(60);
    expect(first.wolkvox.token.reveal()).toBe('token-0010');
    expect(second.wolkvox).toMatchObject({ server: '0020', timeZone: 'America/Mexico_City' });
    expect(second.poll.intervalSeconds).toBe(300);
    expect(second.kafka.brokers).toEqual(['kafka:9092']);
    expect(result.settings).toHaveLength(2);
    expect(result.settings.join('\n')).not.toContain('token-00');
  });

  it('without the file, is the fleet of one the variables describe', () => {
    const result = loadFleet({ WOLKVOX_SERVER: '0010', WOLKVOX_TOKEN: 'abc' });
    expect(result.ok && result.operations.map((o) => o.wolkvox.server)).toEqual(['0010']);
  });

  it('says one line per bad entry, naming it, and each shared problem once', () => {
    const result = fleet(
      {
        operations: [
          entry('0010', { WOLKVOX_TIMEZONE: 'Mars/Base' }),
          entry('0020', { KAFKA_BROKERS: 'x:1' }),
          entry('0010'),
          { WOLKVOX_SERVER: '0030' },
          entry('0040', { POLL_INTERVAL_SECONDS: { every: 5 } }),
        ],
      },
      { KAFKA_BROKERS: 'localhost' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(
        /^POLLER_OPERATIONS_FILE: operations\[0\] \(0010\): WOLKVOX_TIMEZONE: must be an IANA time zone/,
      ),
      expect.stringMatching(
        /^POLLER_OPERATIONS_FILE: operations\[1\] \(0020\): KAFKA_BROKERS: is not a setting of one operation/,
      ),
      'POLLER_OPERATIONS_FILE: operations[2] (0010): WOLKVOX_SERVER 0010 is listed twice (first at operations[0])',
      expect.stringMatching(
        /^POLLER_OPERATIONS_FILE: operations\[3\] \(0030\): WOLKVOX_TOKEN: set exactly one/,
      ),
      'POLLER_OPERATIONS_FILE: operations[4] (0040): POLL_INTERVAL_SECONDS: must be text or a number',
      expect.stringMatching(/^KAFKA_BROKERS: must be a comma-separated host:port list/),
    ]);
  });

  it('refuses the server or token in the environment beside the file, and a file it cannot use', () => {
    const beside = fleet({ operations: [entry('0010')] }, { WOLKVOX_SERVER: '0010' });
    expect(!beside.ok && beside.problems).toEqual([
      'WOLKVOX_SERVER: set per operation in POLLER_OPERATIONS_FILE, not in the environment',
    ]);
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /is not JSON/],
      [{ ops: [] }, /must be a JSON object with an "operations" array/],
      [{ operations: ['0010'] }, /one JSON object per operation/],
      [{ operations: [] }, /lists no operation/],
    ];
    for (const [content, message] of cases) {
      const result = fleet(content);
      expect(!result.ok && result.problems.join('\n')).toMatch(message);
    }
    const missing = loadFleet({ POLLER_OPERATIONS_FILE: '/nope.json' }, () => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    });
    expect(!missing.ok && missing.problems).toEqual([
      'POLLER_OPERATIONS_FILE: /nope.json cannot be read (ENOENT)',
    ]);
  });
});

describe('the fleet example (deploy/fleet)', () => {
  it('is a valid operations file with the environment its kustomization gives', () => {
    const root = new URL('../../../../', import.meta.url);
    const example = readFileSync(new URL('deploy/fleet/operations.json', root), 'utf8');
    const kustomization = readFileSync(new URL('deploy/fleet/kustomization.yaml', root), 'utf8');
    // The literals of its first ConfigMap: NAME=value lines.
    const env = Object.fromEntries(
      [...kustomization.matchAll(/^\s+- ([A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [
        name,
        value,
      ]),
    );
    const result = loadFleet(env, (path) =>
      path === env.POLLER_OPERATIONS_FILE ? example : `token-of-${path.split('/').pop()}\n`,
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.shared).toBe(true);
    expect(result.operations.map((config) => config.wolkvox.server)).toEqual([
      '0010',
      '0020',
      '0030',
    ]);
  });
});
