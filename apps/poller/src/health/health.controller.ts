import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Readiness } from './readiness.js';

/**
 * `GET /health/live`: the process answers (a restart cannot fix anything readiness reports, so
 * liveness checks nothing else). `GET /health/ready`: 200 while the poller does its job, 503
 * with every indicator's reason otherwise (docs/CONTRACT.md section 5).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const { ready, body } = await this.readiness.check();
    if (!ready) throw new ServiceUnavailableException(body);
    return body;
  }
}
