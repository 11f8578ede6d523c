import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Kafka, type Admin } from 'kafkajs';
import type { PollerStatus } from '../loop/poller-status.js';

/** A readiness probe must answer well within its own timeout (a few seconds on Kubernetes). */
export const KAFKA_CHECK_TIMEOUT_MS = 2_500;

/**
 * kafkajs connects an admin client through one seed broker picked at random and moves to the
 * next only on a retry. Without retries, a probe made while one node of three is down failed
 * one time in three although the cluster answers; a refused connection fails at once, so two
 * quick retries reach a live node well within the probe's time.
 */
export const HEALTH_RETRY = { retries: 2, initialRetryTime: 50, maxRetryTime: 100 };

/**
 * Kafka is ready when the brokers answer a metadata request (describeCluster) within
 * KAFKA_CHECK_TIMEOUT_MS and, for an operation's check (`status` given), the operation's last
 * publish, if any failed since its last good cycle, is not the current state. The admin client retries only quickly (HEALTH_RETRY): a probe
 * wants the answer now, and kafkajs's backoff would only hold the request open past the probe's
 * timeout.
 */
@Injectable()
export class KafkaHealthIndicator {
  /** Checks that arrive while one runs share its answer, so probes never pile up on the broker. */
  private inFlight: Promise<ClusterAnswer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    status?: Pick<PollerStatus, 'kafkaProblem'>,
    timeoutMs = KAFKA_CHECK_TIMEOUT_MS,
  ) {
    const indicator = this.indicators.check(key);
    this.inFlight ??= this.describeCluster(timeoutMs).finally(() => (this.inFlight = undefined));
    const answer = await this.inFlight;
    if (!answer.ok) {
      return indicator.down({ message: `the brokers did not answer: ${answer.error}` });
    }
    const problem = status?.kafkaProblem;
    if (problem) {
      return indicator.down({
        message: `the brokers answer, but publishing failed (${problem.error}); the window will be published again`,
        since: problem.since.toISOString(),
      });
    }
    return indicator.up({ brokers: answer.brokers, clusterId: answer.clusterId });
  }

  private async describeCluster(timeoutMs: number): Promise<ClusterAnswer> {
    let admin: Admin | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Decided after the I/O that is waiting, not before: Node runs due timers before it reads
      // sockets, so when the process has been busy for a while (a broker's loss keeps every
      // client of a small machine busy) the timer would win over an answer already received.
      // setImmediate runs after that read, so an answer that is there is taken.
      timer = setTimeout(
        () =>
          setImmediate(() =>
            reject(new Error(`no answer to describeCluster within ${timeoutMs} ms`)),
          ),
        timeoutMs,
      );
    });
    try {
      const call = (async () => {
        admin = this.kafka.admin({ retry: HEALTH_RETRY });
        await admin.connect();
        return admin.describeCluster();
      })();
      // The call may settle after the timeout: its rejection is then of no interest.
      call.catch(() => undefined);
      const cluster = await Promise.race([call, timeout]);
      return { ok: true, brokers: cluster.brokers.length, clusterId: cluster.clusterId };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
      // Disconnecting also ends a connect that is still trying after the timeout.
      await admin?.disconnect().catch(() => undefined);
    }
  }
}

type ClusterAnswer =
  { ok: true; brokers: number; clusterId: string } | { ok: false; error: string };
