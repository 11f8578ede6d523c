import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { PollingHealthIndicator } from './polling.health.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

/** A readiness answer: 200 when `ready` (every indicator up or degraded), 503 otherwise. */
export interface ReadinessAnswer {
  ready: boolean;
  body: HealthCheckResult;
}

/**
 * Each indicator of a readiness answer: true unless it is down (a `degraded` one does not make
 * the poller unready). The metrics show readiness this way, so an alert sees what the probe sees.
 */
export function indicatorsUp(result: HealthCheckResult): Record<string, boolean> {
  return Object.fromEntries(
    Object.entries(result.details).map(([name, detail]) => [name, detail.status !== 'down']),
  );
}

/**
 * The readiness check behind `GET /health/ready` and the readiness gauges of `/metrics`: the four
 * indicators, scrubbed of secrets. Each change of readiness is logged once, whichever of the
 * two asked, not on every probe.
 */
@Injectable()
export class Readiness {
  private readonly logger = new Logger('Health');
  private wasReady: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly checkpoint: CheckpointHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly polling: PollingHealthIndicator,
    private readonly wolkvox: WolkvoxHealthIndicator,
    private readonly scrubber: SecretScrubber,
  ) {}

  /** The terminus result, and whether it means ready (terminus throws 503 when it does not). */
  async check(): Promise<ReadinessAnswer> {
    let result: HealthCheckResult;
    let ready = true;
    try {
      result = await this.health.check([
        () => this.checkpoint.isHealthy('checkpoint'),
        () => this.kafka.isHealthy('kafka'),
        () => this.polling.isHealthy('polling'),
        () => this.wolkvox.isHealthy('wolkvox'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
      ready = false;
    }
    const body = this.scrub(result);
    this.transition(ready, body);
    return { ready, body };
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
