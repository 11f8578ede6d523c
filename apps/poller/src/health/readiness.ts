import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import type { OperationRuntime } from '../runtime/operation-runtime.js';
import type { OperationReadiness } from '../runtime/poller-metrics.js';
import { RuntimeSupervisor } from '../runtime/runtime-supervisor.js';
import { CheckpointHealthIndicator } from './checkpoint.health.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { PollingHealthIndicator } from './polling.health.js';
import { WolkvoxHealthIndicator } from './wolkvox.health.js';

/** A readiness answer: 200 when `ready`, 503 otherwise; and each operation's, for the metrics. */
export interface ReadinessAnswer {
  ready: boolean;
  body: HealthCheckResult;
  operations: OperationReadiness[];
}

/**
 * Each indicator of a readiness answer: true unless it is down (a `degraded` one does not make
 * the poller unready). The metrics show readiness this way, so an alert sees what the probe sees.
 */
export function indicatorsUp(result: HealthCheckResult): Record<string, boolean> {
  return upOf(result.details);
}

function upOf(details: Record<string, { status: string }>): Record<string, boolean> {
  return Object.fromEntries(
    Object.entries(details).map(([name, detail]) => [name, detail.status !== 'down']),
  );
}

/** One operation's own indicators, built once per runtime. */
interface OperationIndicators {
  checkpoint: CheckpointHealthIndicator;
  polling: PollingHealthIndicator;
  wolkvox: WolkvoxHealthIndicator;
}

/**
 * The readiness check behind `GET /health/ready` and the readiness gauges of `/metrics`,
 * scrubbed of secrets. Each change of readiness is logged once, whichever of the two asked,
 * not on every probe.
 *
 * One operation run alone (no operations file): the four indicators of today, checkpoint,
 * kafka, polling and wolkvox, all about that operation. A fleet's replica: `kafka` (the brokers
 * answer) and `fleet` (a member of the fleet's group, serving its share), with each operation it
 * runs under `fleet.operations` and its own indicators. An operation that is down shows there
 * and in its metrics, but does not make the replica unready: the replica serves the others, and
 * what it lacks (a token, a budget) no other replica would have.
 */
@Injectable()
export class Readiness {
  private readonly logger = new Logger('Health');
  private wasReady: boolean | undefined;
  private readonly perRuntime = new WeakMap<OperationRuntime, OperationIndicators>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly supervisor: RuntimeSupervisor,
    private readonly scrubber: SecretScrubber,
  ) {}

  async check(): Promise<ReadinessAnswer> {
    const answer = this.supervisor.shared ? await this.fleetCheck() : await this.operationCheck();
    const body = this.scrub(answer.body);
    this.transition(answer.ready, body);
    return { ...answer, body };
  }

  /** The one operation run alone. */
  private async operationCheck(): Promise<ReadinessAnswer> {
    const runtime = this.supervisor.only;
    const own = this.indicatorsOf(runtime);
    const { ready, body } = await this.terminus([
      () => own.checkpoint.isHealthy('checkpoint'),
      () => this.kafka.isHealthy('kafka', runtime.status),
      () => own.polling.isHealthy('polling'),
      () => own.wolkvox.isHealthy('wolkvox'),
    ]);
    return {
      ready,
      body,
      operations: [{ operation: runtime.operation, ready, indicators: indicatorsUp(body) }],
    };
  }

  /** A replica of a fleet: the brokers, the membership, and each operation it runs. */
  private async fleetCheck(): Promise<ReadinessAnswer> {
    const brokers = await this.kafka.isHealthy('kafka');
    const brokersUp = brokers.kafka.status !== 'down';
    const operations: OperationReadiness[] = [];
    const states: Record<string, unknown> = {};
    for (const runtime of this.supervisor.runtimes) {
      const state = this.operationState(runtime);
      states[runtime.operation] = { status: state.status, ...state.details };
      const indicators = { ...upOf(state.details), kafka: brokersUp && !state.publishFailed };
      operations.push({
        operation: runtime.operation,
        ready: Object.values(indicators).every(Boolean),
        indicators,
      });
    }
    const share = this.supervisor.fleet.share!.state();
    const total = this.supervisor.fleet.operations.length;
    const membership = {
      runs: operations.length,
      of: total,
      operations: states,
    };
    const { ready, body } = await this.terminus([
      () => brokers,
      () => {
        const indicator = this.indicators.check('fleet');
        return share.member
          ? indicator.up(membership)
          : indicator.down({
              message: share.problem ?? "joining the fleet's group",
              ...membership,
            });
      },
    ]);
    return { ready, body, operations };
  }

  /** One operation's indicators together: down when any of them is. */
  private operationState(runtime: OperationRuntime) {
    const own = this.indicatorsOf(runtime);
    const details: Record<string, { status: string }> = {
      ...own.checkpoint.isHealthy('checkpoint'),
      ...own.polling.isHealthy('polling'),
      ...own.wolkvox.isHealthy('wolkvox'),
    };
    const problem = runtime.status.kafkaProblem;
    if (problem)
      details.publishing = {
        status: 'down',
        message: `publishing failed (${problem.error}); the window will be published again`,
        since: problem.since.toISOString(),
      } as { status: string };
    const down = Object.values(details).some((d) => d.status === 'down');
    return { status: down ? 'down' : 'up', details, publishFailed: problem !== undefined };
  }

  private indicatorsOf(runtime: OperationRuntime): OperationIndicators {
    let own = this.perRuntime.get(runtime);
    if (!own) {
      own = {
        checkpoint: new CheckpointHealthIndicator(runtime.cycle, runtime.status, this.indicators),
        polling: new PollingHealthIndicator(
          runtime.status,
          runtime.config,
          this.indicators,
          runtime.createdAt,
        ),
        wolkvox: new WolkvoxHealthIndicator(
          runtime.status,
          runtime.source,
          this.indicators,
          runtime.config,
        ),
      };
      this.perRuntime.set(runtime, own);
    }
    return own;
  }

  /** The terminus result, and whether it means ready (terminus throws 503 when it does not). */
  private async terminus(
    checks: Array<() => HealthIndicatorResult | Promise<HealthIndicatorResult>>,
  ): Promise<{ ready: boolean; body: HealthCheckResult }> {
    try {
      return { ready: true, body: await this.health.check(checks) };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ready: false, body: error.getResponse() as HealthCheckResult };
    }
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
