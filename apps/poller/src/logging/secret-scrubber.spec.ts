import { tokenFileDouble } from '../config/__tests__/token-file-double.js';
import { RotatingSecret } from '../config/rotating-secret.js';
import { SecretScrubber } from './secret-scrubber.js';

describe('SecretScrubber', () => {
  it('replaces every occurrence of each secret, raw, JSON-escaped and URL-encoded', () => {
    const scrubber = new SecretScrubber(['tok"en\\1', 'p@ss word']);
    const text = [
      'token tok"en\\1 twice tok"en\\1',
      JSON.stringify({ header: 'tok"en\\1' }),
      `url https://x/?p=${encodeURIComponent('p@ss word')}`,
      'plain p@ss word',
    ].join('\n');
    const scrubbed = scrubber.scrub(text);
    expect(scrubbed).not.toContain('tok"en\\1');
    expect(scrubbed).not.toContain('tok\\"en\\\\1');
    expect(scrubbed).not.toContain('p@ss word');
    expect(scrubbed).not.toContain('p%40ss%20word');
    expect(scrubbed.match(/\[redacted\]/g)).toHaveLength(5);
  });

  it('replaces a secret that contains another one whole', () => {
    const scrubber = new SecretScrubber(['abc', 'abcdef']);
    expect(scrubber.scrub('x abcdef y abc')).toBe('x [redacted] y [redacted]');
  });

  it('takes the token and the SASL password from the configuration, and ignores absent ones', () => {
    const scrubber = SecretScrubber.fromConfig({
      wolkvox: { token: RotatingSecret.fixed('WOLKVOX_TOKEN', 'wv-token-123') },
      kafka: { sasl: { password: RotatingSecret.fixed('KAFKA_SASL_PASSWORD', 'sasl-pw-456') } },
    } as never);
    expect(scrubber.scrub('wv-token-123 sasl-pw-456 other')).toBe('[redacted] [redacted] other');
    const noSasl = SecretScrubber.fromConfig({
      wolkvox: { token: RotatingSecret.fixed('WOLKVOX_TOKEN', 't0k3n') },
      kafka: { sasl: undefined },
    } as never);
    expect(noSasl.scrub('keep me t0k3n')).toBe('keep me [redacted]');
  });

  it('scrubs a token read again from its file, and still the old one', () => {
    const { file, secret } = tokenFileDouble('token-old-1');
    const scrubber = SecretScrubber.fromConfig({
      wolkvox: { token: secret },
      kafka: { sasl: undefined },
    } as never);
    file.content = 'token-new-2';
    secret.reread();
    expect(scrubber.scrub('token-old-1 token-new-2')).toBe('[redacted] [redacted]');
  });
});
