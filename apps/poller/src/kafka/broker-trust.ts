import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { PollerConfig } from '../config/poller-config.js';
import { kafkaSsl } from './kafka-tls-options.js';

/**
 * With TLS on, the poller opens one TLS handshake to each seed broker before anything else
 * starts, with the options kafkajs will use. A broker whose certificate this process does not
 * trust is a configuration problem a retry never fixes: kafkajs would retry it forever, its log
 * saying "Connection error" and the health check "the brokers did not answer". So it stops the
 * start, one line naming what to set. A broker that does not answer at all is not decided here:
 * that is an outage, which the poller rides out as usual.
 */

/** Node's verification codes of a certificate chain that does not lead to a trusted CA. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

export type Handshake = { ok: true } | { ok: false; code: string | undefined; message: string };

/**
 * What a failed handshake to `broker` means for the configuration (pure): the problem line, or
 * undefined when it is not about the certificate (refused, timed out: an outage).
 */
export function certificateProblem(
  broker: string,
  failure: { code: string | undefined; message: string },
  caFileGiven: boolean,
): string | undefined {
  const why = `${failure.message}${failure.code ? `, ${failure.code}` : ''}`;
  if (failure.code && UNTRUSTED.has(failure.code))
    return caFileGiven
      ? `KAFKA_SSL_CA_FILE: the certificate of broker ${broker} is not signed by the CA in KAFKA_SSL_CA_FILE (${why})`
      : `KAFKA_SSL_CA_FILE: the certificate of broker ${broker} is not trusted (${why}): give the CA that signed it in KAFKA_SSL_CA_FILE or NODE_EXTRA_CA_CERTS`;
  if (failure.code && OUT_OF_DATE.has(failure.code))
    return `KAFKA_BROKERS: the certificate of broker ${broker} is out of date (${why})`;
  if (failure.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `KAFKA_BROKERS: the certificate of broker ${broker} is not for that name (${why}): use a name it holds`;
  return undefined;
}

/**
 * The first certificate problem of the seed brokers, when none of them could be trusted;
 * undefined when one handshake succeeded, when TLS is off, or when no broker answered.
 */
export async function brokerTrustProblem(
  config: PollerConfig['kafka'],
  timeoutMs = 5_000,
): Promise<string | undefined> {
  const ssl = kafkaSsl(config);
  if (ssl === false) return undefined;
  const options = ssl === true ? {} : ssl;
  const results = await Promise.all(
    config.brokers.map(async (broker) => ({
      broker,
      result: await handshake(broker, options, timeoutMs),
    })),
  );
  if (results.some(({ result }) => result.ok)) return undefined;
  for (const { broker, result } of results) {
    if (result.ok) continue;
    const problem = certificateProblem(broker, result, config.tls?.ca !== undefined);
    if (problem) return problem;
  }
  return undefined;
}

/** One TLS handshake the way kafkajs opens its connections (socketFactory.js), then closed. */
function handshake(broker: string, ssl: ConnectionOptions, timeoutMs: number): Promise<Handshake> {
  const at = broker.lastIndexOf(':');
  const host = broker.slice(0, at);
  const port = Number(broker.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect(
      Object.assign({ host, port }, isIP(host) ? {} : { servername: host }, ssl),
      () => {
        socket.destroy();
        resolve({ ok: true });
      },
    );
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ ok: false, code: error.code, message: error.message });
    });
  });
}
