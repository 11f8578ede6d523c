import { DailyRequestBudget } from './request-budget.js';
import { checkOptions, resolveEndpoint, type WolkvoxClientOptions } from './client-options.js';

describe('resolveEndpoint', () => {
  it('builds the Wolkvox URL from the server code', () => {
    expect(resolveEndpoint('0010')).toEqual({
      origin: 'https://wv0010.wolkvox.com',
      path: '/api/v2/reports_manager.php',
    });
  });

  it.each(['evil.com/', '0010.evil.com', 'x@evil.com', '0010:8080', '0010#', '', 'a b', '0010/..'])(
    'refuses the server code %p, which could send the token elsewhere',
    (server) => {
      expect(() => resolveEndpoint(server)).toThrow(RangeError);
    },
  );

  it('uses a base URL instead, keeping its path prefix', () => {
    expect(resolveEndpoint('0010', 'http://127.0.0.1:8089/')).toEqual({
      origin: 'http://127.0.0.1:8089',
      path: '/api/v2/reports_manager.php',
    });
    expect(resolveEndpoint('0010', 'https://proxy.example/wolkvox/')).toEqual({
      origin: 'https://proxy.example',
      path: '/wolkvox/api/v2/reports_manager.php',
    });
    expect(() => resolveEndpoint('0010', 'ftp://x')).toThrow(RangeError);
    expect(() => resolveEndpoint('0010', 'https://user:pw@x')).toThrow(RangeError);
    expect(() => resolveEndpoint('0010', 'not a url')).toThrow(RangeError);
  });
});

describe('checkOptions', () => {
  const token = 'S3cr3t-T0ken';
  const valid: WolkvoxClientOptions = {
    server: '0010',
    token,
    timeZone: 'America/Bogota',
    maxConcurrency: 1,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    budget: new DailyRequestBudget({ timeZone: 'America/Bogota' }),
  };

  it.each<[string, Partial<WolkvoxClientOptions>]>([
    ['an empty token', { token: '' }],
    ['a token with a line break', { token: `${token}\r\nx: y` }],
    ['an unknown zone', { timeZone: 'Mars/Olympus' }],
    ['three calls at once', { maxConcurrency: 3 as 2 }],
    ['a zero timeout', { callTimeoutMs: 0 }],
    ['zero attempts', { retry: { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 } }],
    ['a cap below the base delay', { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 1 } }],
    ['a zero truncation limit', { truncationLimit: 0 }],
  ])('rejects %s without quoting the token', (_name, change) => {
    let message = '';
    try {
      checkOptions({ ...valid, ...change });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(token);
  });

  it('accepts valid options', () => {
    expect(() => checkOptions(valid)).not.toThrow();
  });
});
