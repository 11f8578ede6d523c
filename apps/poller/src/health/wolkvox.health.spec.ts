import { parseWallTime } from '@app/contracts';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RotatingSecret } from '../config/rotating-secret.js';
import { PollerStatus } from '../loop/poller-status.js';
import type { BudgetSnapshot, EmailSource } from '../ports/email-source.port.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

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
    status.sourceProblem = { failure: { kind: 'token-rejected', message: 'x' }, since };
    expect(check()).toMatchObject({
      status: 'down',
      message: expect.stringContaining('refused the token'),
    });
    status.sourceProblem = {
      failure: {
        kind: 'budget-exhausted',
        resetsAt: parseWallTime('2026-03-02 00:00:00')!,
        source: 'api',
      },
      since,
    };
    expect(check()).toMatchObject({
      status: 'down',
      message: expect.stringContaining('calls resume at 2026-03-02 00:00:00'),
    });
    status.sourceProblem = {
      failure: { kind: 'misconfigured', status: 400, message: 'x' },
      since,
    };
    expect(check()).toMatchObject({ status: 'down', message: expect.stringContaining('HTTP 400') });
  });

  it('is only degraded while the API fails transiently, and down when the local quota is spent', () => {
    const status = new PollerStatus();
    status.sourceProblem = {
      failure: { kind: 'unavailable', attempts: 3, lastError: 'HTTP 503: maintenance' },
      since,
    };
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
});
