import { Logger } from '@nestjs/common';
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

/** The operation's token, when given as a file (WOLKVOX_TOKEN_FILE). */
export function operationSecretFiles(config: Pick<PollerConfig, 'wolkvox'>): RotatingSecret[] {
  return config.wolkvox.token.path !== undefined ? [config.wolkvox.token] : [];
}

/** The process's secrets given as files (KAFKA_SASL_PASSWORD_FILE). */
export function processSecretFiles(config: Pick<PollerConfig, 'kafka'>): RotatingSecret[] {
  const password = config.kafka.sasl?.password;
  return password?.path !== undefined ? [password] : [];
}

/**
 * Reads secret files again on a short timer, and logs what every re-read found (whoever made
 * it: this timer, the poll loop after a refusal, kafkajs opening a connection): one line per new
 * value, one per problem, never a value. Reading, not watching: see RotatingSecret. Each
 * operation's runtime has one for its token; the process one for its Kafka password.
 */
export class SecretFileWatcher {
  private readonly logger = new Logger('Secrets');
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: RotatingSecret[],
    private readonly intervalSeconds: number,
  ) {}

  start(): void {
    for (const secret of this.files) {
      this.unsubscribe.push(secret.subscribe((event) => this.log(secret, event)));
    }
    if (!this.files.length) return;
    this.timer = setInterval(() => {
      for (const secret of this.files) secret.reread();
    }, secretCheckMs(this.intervalSeconds));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }

  private log(secret: RotatingSecret, event: SecretEvent): void {
    if (event.kind === 'unusable') {
      this.logger.warn(`${secret.variable}: ${event.problem}; the value in use is kept`);
      return;
    }
    const user = secret.variable.startsWith('WOLKVOX') ? 'call to Wolkvox' : 'connection to Kafka';
    this.logger.log(
      `${secret.variable}: a new value was read from ${secret.path}; the next ${user} uses it`,
    );
  }
}
