import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { processSecretFiles, SecretFileWatcher } from '../loop/secret-file-watcher.js';
import { PollerMetrics } from './poller-metrics.js';
import { kafkaOperationRuntime } from './kafka-operation-runtime.js';
import type { OperationRuntime } from './operation-runtime.js';

/**
 * The process's one supervisor of its operations' runtimes, as Kafka Connect's Worker is of its
 * tasks: builds one runtime per operation from the configuration and the parts the process
 * shares, starts them when the application is up, and stops them (each drains its cycle and
 * releases its lease) before the HTTP server closes, so health answers until the end. Today the
 * configuration names one operation.
 */
@Injectable()
export class RuntimeSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runtimes: readonly OperationRuntime[];
  /** The process's own secret files (the Kafka password its connections share). */
  private readonly secrets: SecretFileWatcher;

  constructor(@Inject(POLLER_CONFIG) config: PollerConfig, kafka: Kafka, metrics: PollerMetrics) {
    this.runtimes = [kafkaOperationRuntime(config, { kafka, metrics })];
    this.secrets = new SecretFileWatcher(processSecretFiles(config), config.poll.intervalSeconds);
  }

  /** The one operation of today's configuration. */
  get only(): OperationRuntime {
    return this.runtimes[0];
  }

  onApplicationBootstrap(): void {
    this.secrets.start();
    for (const runtime of this.runtimes) runtime.start();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await Promise.all(this.runtimes.map((runtime) => runtime.stop(signal)));
    this.secrets.stop();
  }
}
