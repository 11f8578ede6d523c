import { HealthIndicatorService } from '@nestjs/terminus';
import { jest } from '@jest/globals';
import type { PollerConfig } from '../config/poller-config.js';
import { PollerStatus } from '../loop/poller-status.js';
import { PollingHealthIndicator, staleAfterSeconds } from './polling.health.js';

const indicators = new HealthIndicatorService();

describe('PollingHealthIndicator', () => {
  const config = { poll: { intervalSeconds: 30 } } as PollerConfig;
  afterEach(() => jest.useRealTimers());

  it('allows three intervals, never under a minute', () => {
    expect(staleAfterSeconds(5)).toBe(60);
    expect(staleAfterSeconds(300)).toBe(900);
  });

  it('goes down when the last good poll is older than three intervals', () => {
    jest.useFakeTimers({ now: new Date('2026-03-01T15:00:00Z') });
    const status = new PollerStatus();
    const indicator = new PollingHealthIndicator(status, config, indicators);
    status.lastGoodPollAt = new Date('2026-03-01T14:59:00Z');
    expect(indicator.isHealthy('polling').polling.status).toBe('up');
    jest.setSystemTime(new Date('2026-03-01T15:00:31Z'));
    expect(indicator.isHealthy('polling')).toEqual({
      polling: {
        status: 'down',
        message: 'the last good poll was 91 s ago, over the 90 s allowed',
        lastGoodPollAt: '2026-03-01T14:59:00.000Z',
        consecutiveFailures: 0,
      },
    });
  });

  it('counts from start-up before the first good poll, and stays down once fenced', () => {
    jest.useFakeTimers({ now: new Date('2026-03-01T15:00:00Z') });
    const status = new PollerStatus();
    const indicator = new PollingHealthIndicator(status, config, indicators);
    expect(indicator.isHealthy('polling').polling.status).toBe('up');
    jest.setSystemTime(new Date('2026-03-01T15:01:31Z'));
    expect(indicator.isHealthy('polling').polling).toMatchObject({
      status: 'down',
      message: expect.stringContaining('no good poll in the 91 s since the poller started'),
    });
    status.lastGoodPollAt = new Date();
    status.fenced = 'another poller took over transactional id wolkvox-poller-0010';
    expect(indicator.isHealthy('polling').polling).toEqual({
      status: 'down',
      message: 'fenced: another poller took over transactional id wolkvox-poller-0010',
    });
  });
});
