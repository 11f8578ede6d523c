import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ReadFile } from './rotating-secret.js';
import { Secret } from './secret.js';

/**
 * TLS to the brokers with the operation's own CA and, where the cluster asks for one
 * (`ssl.client.auth=required`), a client certificate, all given as PEM files:
 *
 *   KAFKA_SSL_CA_FILE              the CA certificate(s) the brokers' certificates chain to
 *   KAFKA_SSL_CERT_FILE            the client certificate (chain), with KAFKA_SSL_KEY_FILE
 *   KAFKA_SSL_KEY_FILE             its private key (PKCS#8, PKCS#1 or SEC1)
 *   KAFKA_SSL_KEY_PASSPHRASE_FILE  the key's passphrase, when the key is encrypted
 *
 * Setting any of them turns TLS on. The files are read once, at start: kafkajs hands one options
 * object to `tls.connect` for every connection, and a renewed certificate is a rollout, as with
 * the CA bundle Node reads from NODE_EXTRA_CA_CERTS (also checked here, since Node only warns on
 * stderr when it cannot load it and then connects without it). Every problem is one line that
 * names the variable and the path, never the content; the key and the passphrase are `Secret`s.
 */
export interface KafkaTls {
  /** Replaces Node's trusted CAs for the brokers (NODE_EXTRA_CA_CERTS is then not used). */
  ca: string | undefined;
  cert: string | undefined;
  key: Secret | undefined;
  passphrase: Secret | undefined;
}

export interface KafkaTlsResult {
  /** Undefined when no file is set: TLS, if KAFKA_SSL asks for it, with Node's trusted CAs. */
  tls: KafkaTls | undefined;
  /** One line per problem, `VARIABLE: ...`, never quoting a file's content. */
  problems: string[];
}

const CA = 'KAFKA_SSL_CA_FILE';
const CERT = 'KAFKA_SSL_CERT_FILE';
const KEY = 'KAFKA_SSL_KEY_FILE';
const PASSPHRASE = 'KAFKA_SSL_KEY_PASSPHRASE_FILE';
const EXTRA_CA = 'NODE_EXTRA_CA_CERTS';
/** The poller's own TLS settings (read here, outside the main schema), for the check of names. */
export const KAFKA_TLS_VARIABLES = [CA, CERT, KEY, PASSPHRASE] as const;

/** The TLS variables of `env` (empty strings already dropped), their files read and checked. */
export function kafkaTlsFrom(
  env: Record<string, string | undefined>,
  readFile: ReadFile,
): KafkaTlsResult {
  const problems = pairingProblems(env);
  const read = (variable: string) => readPem(variable, env[variable], readFile, problems);
  const ca = read(CA);
  const cert = read(CERT);
  const key = read(KEY);
  const passphrase = read(PASSPHRASE)?.trim();
  const extraCa = read(EXTRA_CA);
  for (const [variable, text] of [
    [CA, ca],
    [CERT, cert],
    [EXTRA_CA, extraCa],
  ] as const) {
    const problem = text ? certificatesProblem(text) : undefined;
    if (problem) problems.push(`${variable}: ${env[variable]} ${problem}`);
  }
  if (key !== undefined) problems.push(...keyProblems(env, key, passphrase, cert));
  if (problems.length) return { tls: undefined, problems };
  if ([ca, cert, key].every((file) => file === undefined)) return { tls: undefined, problems };
  return {
    tls: {
      ca,
      cert,
      key: key === undefined ? undefined : new Secret(key),
      passphrase: passphrase === undefined ? undefined : new Secret(passphrase),
    },
    problems,
  };
}

/** Rules between the variables, checked before any file is read. */
function pairingProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if ((env[CERT] === undefined) !== (env[KEY] === undefined))
    problems.push(`${env[CERT] ? KEY : CERT}: set both ${CERT} and ${KEY}, or neither`);
  if (env[PASSPHRASE] !== undefined && env[KEY] === undefined)
    problems.push(`${PASSPHRASE}: is only used with ${KEY}`);
  const anyFile = [CA, CERT, KEY].some((variable) => env[variable] !== undefined);
  if (anyFile && /^\s*(false|0|no)\s*$/i.test(env.KAFKA_SSL ?? ''))
    problems.push(`KAFKA_SSL: is false, but ${CA}, ${CERT} or ${KEY} is set, which means TLS`);
  return problems;
}

/** The file `env[variable]` names, or undefined (unset, or a problem pushed). */
function readPem(
  variable: string,
  path: string | undefined,
  readFile: ReadFile,
  problems: string[],
): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    problems.push(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
    return undefined;
  }
  if (!text.trim()) {
    problems.push(`${variable}: ${path} is empty`);
    return undefined;
  }
  return text;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Why `text` is not a PEM bundle of certificates, or undefined when it is (pure). */
export function certificatesProblem(text: string): string | undefined {
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (!blocks.length) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `holds a certificate that cannot be parsed (number ${i + 1} in the file)`;
    }
  }
  return undefined;
}

/**
 * The private key against its passphrase and the client certificate (pure): an encrypted key
 * without a passphrase, a passphrase that does not open it, or a key that is not the
 * certificate's would each fail every TLS handshake later, less clearly.
 */
export function keyProblems(
  env: Record<string, string | undefined>,
  key: string,
  passphrase: string | undefined,
  cert: string | undefined,
): string[] {
  const path = env[KEY];
  if (!/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(key))
    return [`${KEY}: ${path} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`];
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key);
  if (encrypted && passphrase === undefined)
    return [`${KEY}: ${path} is encrypted: give its passphrase in ${PASSPHRASE}`];
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key, format: 'pem', passphrase: passphrase ?? '' });
  } catch {
    // Node's messages name the cause (bad decrypt, unsupported), never the key; ours say where.
    return encrypted
      ? [`${PASSPHRASE}: ${env[PASSPHRASE]} does not open the key in ${path}`]
      : [`${KEY}: ${path} holds a private key that cannot be parsed`];
  }
  const first = cert?.match(CERTIFICATE_BLOCK)?.[0];
  if (first && !matches(first, keyObject))
    return [`${KEY}: ${path} is not the key of the certificate in ${env[CERT]}`];
  return [];
}

/** Whether `key` is the certificate's; a certificate that cannot be parsed is reported apart. */
function matches(certificate: string, key: KeyObject): boolean {
  try {
    return new X509Certificate(certificate).checkPrivateKey(key);
  } catch {
    return true;
  }
}
