import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import { processSecretFiles, SecretFileWatcher } from '../loop/secret-file-watcher.js';
import type { OperationRuntime } from './operation-runtime.js';

/** DI token of the process's operation runtimes (runtime.module.ts builds them). */
export const OPERATION_RUNTIMES = Symbol('OPERATION_RUNTIMES');

/**
 * The process's one supervisor of its operations' runtimes, as Kafka Connect's Worker is of its
 * tasks: starts them when the application is up, and stops them all at once (each drains its
 * cycle and releases its lease) before the HTTP server closes, so health answers until the end.
 * Today the configuration names one operation.
 */
@Injectable()
export class RuntimeSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** The process's own secret files (the Kafka password its connections share). */
  private readonly secrets: SecretFileWatcher;

  constructor(
    @Inject(OPERATION_RUNTIMES) readonly runtimes: readonly OperationRuntime[],
    @Inject(POLLER_CONFIG) config: Pick<PollerConfig, 'kafka' | 'poll'>,
  ) {
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
