import { HealthIndicatorService } from '@nestjs/terminus';
import { jest } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { PollerStatus } from '../loop/poller-status.js';
import { HEALTH_RETRY, KafkaHealthIndicator } from './kafka.health.js';

const indicators = new HealthIndicatorService();

describe('KafkaHealthIndicator', () => {
  function kafka(describeCluster: () => Promise<unknown>) {
    const admin = {
      connect: jest.fn(() => Promise.resolve()),
      describeCluster: jest.fn(describeCluster),
      disconnect: jest.fn(() => Promise.resolve()),
    };
    const admins: unknown[] = [];
    const fake = {
      admin: jest.fn((options: unknown) => {
        admins.push(options);
        return admin;
      }),
    } as unknown as Kafka;
    return { fake, admin, admins };
  }

  it('is up when the brokers answer, with an admin client that retries only quickly', async () => {
    const { fake, admin, admins } = kafka(() =>
      Promise.resolve({ brokers: [{}, {}], clusterId: 'c1', controller: 1 }),
    );
    const result = await new KafkaHealthIndicator(fake, new PollerStatus(), indicators).isHealthy(
      'kafka',
    );
    expect(result).toEqual({ kafka: { status: 'up', brokers: 2, clusterId: 'c1' } });
    expect(admins).toEqual([{ retry: HEALTH_RETRY }]);
    expect(admin.disconnect).toHaveBeenCalled();
  });

  it('is down, within its time limit, when the brokers do not answer', async () => {
    const { fake, admin } = kafka(() => new Promise(() => undefined));
    const result = await new KafkaHealthIndicator(fake, new PollerStatus(), indicators).isHealthy(
      'kafka',
      50,
    );
    expect(result).toEqual({
      kafka: {
        status: 'down',
        message: 'the brokers did not answer: no answer to describeCluster within 50 ms',
      },
    });
    expect(admin.disconnect).toHaveBeenCalled();
  });

  it('is down when the brokers answer but the last publish failed', async () => {
    const { fake } = kafka(() =>
      Promise.resolve({ brokers: [{}], clusterId: 'c1', controller: 1 }),
    );
    const status = new PollerStatus();
    status.kafkaProblem = { since: new Date('2026-03-01T15:00:00Z'), error: 'NOT_ENOUGH_REPLICAS' };
    const result = await new KafkaHealthIndicator(fake, status, indicators).isHealthy('kafka');
    expect(result.kafka).toMatchObject({
      status: 'down',
      message: expect.stringContaining('NOT_ENOUGH_REPLICAS'),
    });
  });

  it('shares one broker call between checks that arrive together', async () => {
    const { fake, admin } = kafka(() =>
      Promise.resolve({ brokers: [{}], clusterId: 'c1', controller: 1 }),
    );
    const indicator = new KafkaHealthIndicator(fake, new PollerStatus(), indicators);
    await Promise.all([indicator.isHealthy('kafka'), indicator.isHealthy('kafka')]);
    expect(admin.describeCluster).toHaveBeenCalledTimes(1);
  });
});
