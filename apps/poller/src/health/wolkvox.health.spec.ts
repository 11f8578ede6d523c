import { HealthIndicatorService } from '@nestjs/terminus';
import { tokenFileDouble } from '../config/__tests__/token-file-double.js';
import { RotatingSecret } from '../config/rotating-secret.js';
import { PollerStatus } from '../poller/poller-status.js';
import type { BudgetSnapshot, EmailSource } from '../ports/email-source.port.js';
import { tokenRefusedMessage, WolkvoxHealthIndicator } from './wolkvox.health.js';

const indicators = new HealthIndicatorService();
const config = { wolkvox: { token: RotatingSecret.fixed('WOLKVOX_TOKEN', 'tok') } } as never;

describe('WolkvoxHealthIndicator', () => {
  const source = (budget: Partial<BudgetSnapshot> = {}) =>
    ({
      budget: () => ({
        day: '2026-03-01',
        used: 10,
        limit: undefined,
        remaining: undefined,
        resetsAt: 0,
        ...budget,
      }),
    }) as unknown as EmailSource;
  const since = new Date('2026-03-01T15:00:00Z');

  it('is up with the day’s budget while the API answers', () => {
    expect(
      new WolkvoxHealthIndicator(
        new PollerStatus(),
        source({ limit: 100, remaining: 90 }),
        indicators,
        config,
      ).isHealthy('wolkvox'),
    ).toEqual({
      wolkvox: { status: 'up', budget: { day: '2026-03-01', used: 10, limit: 100, remaining: 90 } },
    });
  });

  it('is down, saying why, when the token was refused, the budget is spent, or the request is malformed', () => {
    const status = new PollerStatus();
    const check = () =>
      new WolkvoxHealthIndicator(status, source(), indicators, config).isHealthy('wolkvox').wolkvox;
    status.sourceProblem = { kind: 'token-rejected', since };
    expect(check()).toMatchObject({
      status: 'down',
      message: expect.stringContaining('refused the token'),
    });
    status.sourceProblem = { kind: 'budget-exhausted', since, untilLocal: '2026-03-02 00:00:00' };
    expect(check()).toMatchObject({
      status: 'down',
      message: expect.stringContaining('calls resume at 2026-03-02 00:00:00'),
    });
    status.sourceProblem = { kind: 'misconfigured', since, status: 400 };
    expect(check()).toMatchObject({ status: 'down', message: expect.stringContaining('HTTP 400') });
  });

  it('is only degraded while the API fails transiently, and down when the local quota is spent', () => {
    const status = new PollerStatus();
    status.sourceProblem = { kind: 'unavailable', since, lastError: 'HTTP 503: maintenance' };
    expect(
      new WolkvoxHealthIndicator(status, source(), indicators, config).isHealthy('wolkvox').wolkvox,
    ).toMatchObject({
      status: 'degraded',
      message: expect.stringContaining('HTTP 503: maintenance'),
    });
    expect(
      new WolkvoxHealthIndicator(
        new PollerStatus(),
        source({ limit: 10, remaining: 0 }),
        indicators,
        config,
      ).isHealthy('wolkvox').wolkvox,
    ).toMatchObject({ status: 'down', message: expect.stringContaining('WOLKVOX_DAILY_QUOTA') });
  });

  it('is degraded once a week of dates answered nothing but 404, and up again at the first record', () => {
    const status = new PollerStatus();
    const indicator = new WolkvoxHealthIndicator(status, source(), indicators, config);
    status.notFoundStreak = { from: 0, to: 6 * 86_400 };
    expect(indicator.isHealthy('wolkvox').wolkvox.status).toBe('up');
    status.notFoundStreak = { from: 0, to: 7 * 86_400 };
    expect(indicator.isHealthy('wolkvox').wolkvox).toMatchObject({
      status: 'degraded',
      message: expect.stringContaining('may lack report cdr_9'),
    });
  });

  it('says how to replace a refused token: in its file, or by a restart when given as a value', () => {
    expect(tokenRefusedMessage(RotatingSecret.fixed('WOLKVOX_TOKEN', 'tok'))).toMatch(
      /WOLKVOX_TOKEN cannot change while the poller runs: .*restart.*WOLKVOX_TOKEN_FILE/,
    );
    const { file, secret } = tokenFileDouble('tok-a');
    expect(tokenRefusedMessage(secret)).toContain('put the new token in /s/token');
    file.content = '';
    secret.reread();
    expect(tokenRefusedMessage(secret)).toContain('the last read failed: /s/token is empty');
  });
});
