import { HealthIndicatorService } from '@nestjs/terminus';
import type { PollCycle } from '../cycle/poll-cycle.js';
import { PollerStatus } from '../loop/poller-status.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';

const indicators = new HealthIndicatorService();

describe('CheckpointHealthIndicator', () => {
  const cycle = (position?: { cursor: string; settledBefore: string; seenKeys: number }) =>
    ({ describe: () => position }) as unknown as PollCycle;

  it('is down until the checkpoint is loaded, then up with where it stands', () => {
    const status = new PollerStatus();
    expect(
      new CheckpointHealthIndicator(cycle(), status, indicators).isHealthy('checkpoint'),
    ).toEqual({
      checkpoint: { status: 'down', message: 'the checkpoint has not been loaded from Kafka yet' },
    });
    const position = {
      cursor: '2026-03-01 10:00:00',
      settledBefore: '2026-03-01 09:00:00',
      seenKeys: 3,
    };
    expect(
      new CheckpointHealthIndicator(cycle(position), status, indicators).isHealthy('checkpoint'),
    ).toEqual({
      checkpoint: { status: 'up', ...position },
    });
  });

  it('says why the poller could not start', () => {
    const status = new PollerStatus();
    status.fatal = 'POLL_START_AT is required on the first run';
    expect(
      new CheckpointHealthIndicator(cycle(), status, indicators).isHealthy('checkpoint'),
    ).toEqual({
      checkpoint: { status: 'down', message: 'POLL_START_AT is required on the first run' },
    });
  });

  it('says that another instance holds the operation when this one is on standby', () => {
    const status = new PollerStatus();
    status.lastOutcome = {
      outcome: {
        kind: 'standby',
        owner: { id: 'poller-7d9f', heartbeatAt: '2026-03-01T15:00:00.000Z' },
        retryInMs: 15_000,
      },
      durationMs: 3,
      at: new Date(),
    };
    expect(
      new CheckpointHealthIndicator(cycle(), status, indicators).isHealthy('checkpoint').checkpoint,
    ).toMatchObject({
      status: 'down',
      message: expect.stringContaining('standby: poller-7d9f holds the operation'),
    });
  });
});
