import type { PollerConfig } from '../config/poller-config.js';
import type { RotatingSecret } from '../config/rotating-secret.js';

const REDACTED = '[redacted]';

/**
 * The last line of defence for secrets in text that leaves the process (log lines, health
 * messages, CLI errors): every occurrence of a secret's value is replaced, both as written and as
 * JSON escapes it, since log lines are JSON. Structured redaction (pino `redact` paths, the
 * `Secret` wrapper) is the first line; this catches what slips through, such as a token echoed in
 * a library's error message or a URL.
 */
export class SecretScrubber {
  private readonly forms = new Set<string>();
  private needles: string[] = [];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    for (const secret of secrets) this.add(secret);
  }

  /**
   * The token, the SASL password and the TLS client key, every value they held and every value they take later
   * (a secret file read again): an old token in a log line is a leak too.
   */
  static fromConfig(config: Pick<PollerConfig, 'wolkvox' | 'kafka'>): SecretScrubber {
    return SecretScrubber.fromConfigs([config]);
  }

  /** The secrets of every operation of a fleet: any line may name any of them. */
  static fromConfigs(
    configs: ReadonlyArray<Pick<PollerConfig, 'wolkvox' | 'kafka'>>,
  ): SecretScrubber {
    const scrubber = new SecretScrubber([]);
    const follow = (secret: RotatingSecret | undefined) => {
      if (!secret) return;
      for (const value of secret.values()) scrubber.add(value);
      secret.subscribe(() => scrubber.add(secret.reveal()));
    };
    for (const config of configs) {
      follow(config.wolkvox.token);
      follow(config.kafka.sasl?.password);
      // The client certificate's key and passphrase (KAFKA_SSL_KEY_FILE), read once at start.
      for (const secret of [config.kafka.tls?.key, config.kafka.tls?.passphrase])
        scrubber.add(secret?.reveal());
    }
    return scrubber;
  }

  add(secret: string | undefined): void {
    if (!secret) return;
    this.forms.add(secret);
    this.forms.add(JSON.stringify(secret).slice(1, -1));
    this.forms.add(encodeURIComponent(secret));
    // Longest first, so a secret that contains another is replaced whole.
    this.needles = [...this.forms].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  }
}
