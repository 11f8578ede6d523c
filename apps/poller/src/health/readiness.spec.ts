import type { HealthCheckResult } from '@nestjs/terminus';
import { indicatorsUp } from './readiness.js';

describe('indicatorsUp', () => {
  it('counts up and degraded indicators as up, down ones as down', () => {
    const result = {
      status: 'error',
      details: {
        checkpoint: { status: 'up' },
        kafka: { status: 'down', message: 'the brokers did not answer' },
        wolkvox: { status: 'degraded', message: 'retrying with backoff' },
      },
    } as unknown as HealthCheckResult;
    expect(indicatorsUp(result)).toEqual({ checkpoint: true, kafka: false, wolkvox: true });
  });
});
