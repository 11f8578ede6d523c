import { Secret } from '../config/secret.js';
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
      wolkvox: { token: new Secret('wv-token-123') },
      kafka: { sasl: { password: new Secret('sasl-pw-456') } },
    } as never);
    expect(scrubber.scrub('wv-token-123 sasl-pw-456 other')).toBe('[redacted] [redacted] other');
    const noSasl = SecretScrubber.fromConfig({
      wolkvox: { token: new Secret('t0k3n') },
      kafka: { sasl: undefined },
    } as never);
    expect(noSasl.scrub('keep me t0k3n')).toBe('keep me [redacted]');
  });
});
