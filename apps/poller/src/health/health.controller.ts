import { Controller, Get, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { PollingHealthIndicator } from './polling.health.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

/**
 * `GET /health/live`: the process answers (a restart cannot fix anything readiness reports, so
 * liveness checks nothing else). `GET /health/ready`: 200 while the poller does its job, 503
 * with every indicator's reason otherwise (SPEC section 5).
 */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /** The last readiness answered, so that only changes are logged (probes come every few seconds). */
  private wasReady: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly checkpoint: CheckpointHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly polling: PollingHealthIndicator,
    private readonly wolkvox: WolkvoxHealthIndicator,
    private readonly scrubber: SecretScrubber,
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
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.checkpoint.isHealthy('checkpoint'),
        () => this.kafka.isHealthy('kafka'),
        () => this.polling.isHealthy('polling'),
        () => this.wolkvox.isHealthy('wolkvox'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const body = this.scrub(error.getResponse() as HealthCheckResult);
      this.transition(false, body);
      throw new ServiceUnavailableException(body);
    }
    const body = this.scrub(result);
    this.transition(true, body);
    return body;
  }

  /** Indicators repeat error messages of libraries; none may carry a secret out. */
  private scrub(result: HealthCheckResult): HealthCheckResult {
    return JSON.parse(this.scrubber.scrub(JSON.stringify(result))) as HealthCheckResult;
  }

  private transition(ready: boolean, result: HealthCheckResult): void {
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (ready) {
      this.logger.log('ready');
      return;
    }
    const reasons = Object.entries(result.error ?? {}).map(([key, detail]) => {
      const message = (detail as { message?: unknown }).message;
      return `${key}: ${typeof message === 'string' ? message : 'down'}`;
    });
    this.logger.warn(`not ready (${reasons.join('; ') || result.status})`);
  }
}
