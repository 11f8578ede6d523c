import type { PollerConfig } from '../config/poller-config.js';

const REDACTED = '[redacted]';

/**
 * The last line of defence for secrets in text that leaves the process (log lines, health
 * messages, CLI errors): every occurrence of a secret's value is replaced, both as written and as
 * JSON escapes it, since log lines are JSON. Structured redaction (pino `redact` paths, the
 * `Secret` wrapper) is the first line; this catches what slips through, such as a token echoed in
 * a library's error message or a URL.
 */
export class SecretScrubber {
  private readonly needles: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (!secret) continue;
      forms.add(secret);
      forms.add(JSON.stringify(secret).slice(1, -1));
      forms.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.needles = [...forms].sort((a, b) => b.length - a.length);
  }

  static fromConfig(config: Pick<PollerConfig, 'wolkvox' | 'kafka'>): SecretScrubber {
    return new SecretScrubber([
      config.wolkvox.token.reveal(),
      config.kafka.sasl?.password.reveal(),
    ]);
  }

  scrub(text: string): string {
    let out = text;
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  }
}
