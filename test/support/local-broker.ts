import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'kafka', 'broker.sh');

/**
 * A real Apache Kafka broker (KRaft) run with `java` from the jars that scripts/kafka/broker.sh
 * resolves from Maven Central. Tests that must stop and restart a broker (outages) start their
 * own on a port of their own; the shared one belongs to globalSetup.
 */
export class LocalBroker {
  constructor(
    readonly port: number,
    readonly stateDir = join(root, '.cache', 'kafka', `test-${port}`),
    /** Another script built on broker.sh (scripts/kafka/secure-broker.sh) and its environment. */
    private readonly variant: { script: string; env: Record<string, string> } = {
      script,
      env: {},
    },
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker and resolves once it serves; `fresh` wipes its data first. */
  async start(options: { fresh?: boolean } = {}): Promise<void> {
    await this.exec('start', { KAFKA_FRESH: options.fresh ? '1' : '0' });
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 30 s); a no-op when it is not running. */
  async stop(): Promise<void> {
    await this.exec('stop');
  }

  /** Kills the broker process at once, as a crash would. */
  async kill(): Promise<void> {
    await this.exec('kill');
  }

  private async exec(command: string, env: Record<string, string> = {}): Promise<void> {
    try {
      await run('bash', [this.variant.script, command], {
        env: {
          ...process.env,
          ...this.variant.env,
          ...env,
          KAFKA_PORT: String(this.port),
          KAFKA_STATE_DIR: this.stateDir,
        },
        timeout: 180_000,
      });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(
        `${this.variant.script} ${command} failed on port ${this.port}: ${e.stderr || e.message}`,
        {
          cause: error,
        },
      );
    }
  }
}
