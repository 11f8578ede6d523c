import { certificateProblem } from './broker-trust.js';

const failure = (code: string | undefined, message = 'm') => ({ code, message });

describe('certificateProblem', () => {
  it('names the CA settings when the broker’s chain leads to no trusted CA', () => {
    for (const code of [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ]) {
      expect(certificateProblem('k:9093', failure(code, 'why'), false)).toBe(
        `KAFKA_SSL_CA_FILE: the certificate of broker k:9093 is not trusted (why, ${code}): give the CA that signed it in KAFKA_SSL_CA_FILE or NODE_EXTRA_CA_CERTS`,
      );
    }
  });

  it('says the CA file given is not the broker’s when there is one', () => {
    expect(certificateProblem('k:9093', failure('SELF_SIGNED_CERT_IN_CHAIN', 'why'), true)).toBe(
      'KAFKA_SSL_CA_FILE: the certificate of broker k:9093 is not signed by the CA in KAFKA_SSL_CA_FILE (why, SELF_SIGNED_CERT_IN_CHAIN)',
    );
  });

  it('names the broker address for a certificate of another name or out of date', () => {
    expect(certificateProblem('k:9093', failure('ERR_TLS_CERT_ALTNAME_INVALID'), true)).toMatch(
      /^KAFKA_BROKERS: the certificate of broker k:9093 is not for that name/,
    );
    expect(certificateProblem('k:9093', failure('CERT_HAS_EXPIRED'), true)).toMatch(
      /^KAFKA_BROKERS: the certificate of broker k:9093 is out of date/,
    );
  });

  it('leaves an outage to the poller: refused, timed out, reset', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', undefined])
      expect(certificateProblem('k:9093', failure(code), false)).toBeUndefined();
  });
});
