import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { POLLER_CONFIG } from '../config/config.module.js';
import type { PollerConfig } from '../config/poller-config.js';
import type { RotatingSecret, SecretEvent } from '../config/rotating-secret.js';

/**
 * How often the secret files are read again: within one poll interval, so that a token put in
 * the file after a refusal resumes polling before the next poll would have been due, and every
 * 10 s at the most (the kubelet takes a minute or so to bring an updated Secret to the pod).
 */
export function secretCheckMs(intervalSeconds: number): number {
  return Math.min(10_000, intervalSeconds * 1000);
}

/** The secrets given as files (WOLKVOX_TOKEN_FILE, KAFKA_SASL_PASSWORD_FILE). */
export function secretFiles(config: PollerConfig): RotatingSecret[] {
  return [config.wolkvox.token, config.kafka.sasl?.password].filter(
    (secret): secret is RotatingSecret => secret?.path !== undefined,
  );
}

/**
 * Reads the secret files again on a short timer, and logs what every re-read found (whoever
 * made it: this timer, the poll loop after a refusal, kafkajs opening a connection): one line
 * per new value, one per problem, never a value. Reading, not watching: see RotatingSecret.
 */
@Injectable()
export class SecretFileWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Secrets');
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(POLLER_CONFIG) private readonly config: PollerConfig) {}

  onApplicationBootstrap(): void {
    const files = secretFiles(this.config);
    for (const secret of files) {
      this.unsubscribe.push(secret.subscribe((event) => this.log(secret, event)));
    }
    if (!files.length) return;
    this.timer = setInterval(() => {
      for (const secret of files) secret.reread();
    }, secretCheckMs(this.config.poll.intervalSeconds));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  private log(secret: RotatingSecret, event: SecretEvent): void {
    if (event.kind === 'unusable') {
      this.logger.warn(`${secret.variable}: ${event.problem}; the value in use is kept`);
      return;
    }
    const user = secret === this.config.wolkvox.token ? 'call to Wolkvox' : 'connection to Kafka';
    this.logger.log(
      `${secret.variable}: a new value was read from ${secret.path}; the next ${user} uses it`,
    );
  }
}
