import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
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
    const result = await new KafkaHealthIndicator(fake, indicators).isHealthy(
      'kafka',
      new PollerStatus(),
    );
    expect(result).toEqual({ kafka: { status: 'up', brokers: 2, clusterId: 'c1' } });
    expect(admins).toEqual([{ retry: HEALTH_RETRY }]);
    expect(admin.disconnect).toHaveBeenCalled();
  });

  it('is down, within its time limit, when the brokers do not answer', async () => {
    const { fake, admin } = kafka(() => new Promise(() => undefined));
    const result = await new KafkaHealthIndicator(fake, indicators).isHealthy(
      'kafka',
      new PollerStatus(),
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
    const result = await new KafkaHealthIndicator(fake, indicators).isHealthy('kafka', status);
    expect(result.kafka).toMatchObject({
      status: 'down',
      message: expect.stringContaining('NOT_ENOUGH_REPLICAS'),
    });
  });

  it('takes an answer that arrived while the process was busy past the time limit', async () => {
    // The answer comes over a real socket (as a broker's does) while the event loop is blocked
    // for longer than the limit: when it runs again, the answer is read before the limit counts.
    let serverSide!: Socket;
    const server = createServer((socket) => (serverSide = socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(client, 'connect');
    while (!serverSide) await new Promise((resolve) => setImmediate(resolve));
    try {
      const { fake, admin } = kafka(
        () =>
          new Promise((resolve) =>
            client.once('data', () => resolve({ brokers: [{}], clusterId: 'c1', controller: 1 })),
          ),
      );
      const result = new KafkaHealthIndicator(fake, indicators).isHealthy(
        'kafka',
        new PollerStatus(),
        100,
      );
      while (admin.describeCluster.mock.calls.length === 0)
        await new Promise((resolve) => setImmediate(resolve));
      serverSide.write('metadata');
      const blockedUntil = Date.now() + 300;
      while (Date.now() < blockedUntil); // busy: no timer, no socket read
      expect((await result).kafka).toMatchObject({ status: 'up', clusterId: 'c1' });
    } finally {
      client.destroy();
      serverSide.destroy();
      server.close();
    }
  });

  it('shares one broker call between checks that arrive together', async () => {
    const { fake, admin } = kafka(() =>
      Promise.resolve({ brokers: [{}], clusterId: 'c1', controller: 1 }),
    );
    const indicator = new KafkaHealthIndicator(fake, indicators);
    await Promise.all([indicator.isHealthy('kafka'), indicator.isHealthy('kafka')]);
    expect(admin.describeCluster).toHaveBeenCalledTimes(1);
  });
});
