import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  DEFAULT_TOPICS,
  isValidTimeZone,
  SERVER_CODE_PATTERN,
  TOKEN_PATTERN,
  type Topics,
} from '@app/contracts';
import { z } from 'zod';
import { brokerAddressProblem } from './broker-address.js';
import { KAFKA_TLS_VARIABLES, kafkaTlsFrom, type KafkaTls } from './kafka-tls.js';
import { RotatingSecret, type ReadFile } from './rotating-secret.js';
import { describeSettings } from './settings-summary.js';
import { checkVariableNames } from './variable-names.js';

/**
 * The poller's configuration, read from the environment (docs/CONTRACT.md section 5) and validated once at
 * start: every bad or missing value is reported on a line of its own, and nothing starts.
 * Secrets are wrapped in `RotatingSecret` as soon as they are read (one given as a file is read
 * again while the poller runs), and no message here ever repeats a secret's value.
 */
const TOKEN_RULE = 'must be visible ASCII characters, no spaces';

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * `retention.ms` of a history topic: -1 (kept forever) or at least an hour. Below that a
 * subscriber that is down for a deploy could miss events, and 0 would delete them at once.
 */
const HOUR_MS = 3_600_000;
const retentionMs = z
  .string()
  .trim()
  .regex(/^(-1|\d+)$/, 'must be a whole number of milliseconds, or -1 to keep forever')
  .transform(Number)
  .pipe(
    z
      .number()
      .refine(
        (ms) => ms === -1 || (ms >= HOUR_MS && Number.isSafeInteger(ms)),
        `must be -1 (forever) or at least ${HOUR_MS} (one hour)`,
      ),
  );
const DAY_MS = 24 * HOUR_MS;

const topicName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name (letters, digits, . _ -)');

const EnvSchema = z.object({
  WOLKVOX_SERVER: z
    .string()
    .trim()
    .regex(SERVER_CODE_PATTERN, "must be the server code: letters, digits or '-' (e.g. 0010)"),
  WOLKVOX_TOKEN: z.string().trim().regex(TOKEN_PATTERN, TOKEN_RULE).optional(),
  WOLKVOX_TOKEN_FILE: z.string().trim().min(1).optional(),
  WOLKVOX_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  WOLKVOX_TIMEZONE: z
    .string()
    .trim()
    .refine(isValidTimeZone, 'must be an IANA time zone such as America/Bogota')
    .default('America/Bogota'),
  WOLKVOX_MAX_CONCURRENCY: z.enum(['1', '2'], 'must be 1 or 2').transform(Number).default(1),
  WOLKVOX_DAILY_QUOTA: int(1, 10_000_000).optional(),
  WOLKVOX_MAX_RECORDS: int(10, 10_000_000).default(60_000),
  WOLKVOX_CALL_TIMEOUT_SECONDS: int(1, 600).default(60),
  WOLKVOX_ABANDONED_CALL_SECONDS: int(0, 3600).default(65),
  KAFKA_BROKERS: z
    .string()
    .trim()
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(
      z
        .array(
          z.string().superRefine((address, ctx) => {
            const problem = brokerAddressProblem(address);
            if (problem === 'must be host:port')
              ctx.addIssue({ code: 'custom', message: 'must be a comma-separated host:port list' });
            else if (problem)
              ctx.addIssue({ code: 'custom', message: `${JSON.stringify(address)} ${problem}` });
          }),
        )
        .min(1),
    )
    .default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('wolkvox-poller'),
  KAFKA_CLIENT: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['kafkajs', 'platformatic'], 'must be kafkajs or platformatic'))
    .default('kafkajs'),
  KAFKA_SSL: bool.default(false),
  KAFKA_SASL_MECHANISM: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(
        ['plain', 'scram-sha-256', 'scram-sha-512'],
        'must be plain, scram-sha-256 or scram-sha-512',
      ),
    )
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().trim().min(1).optional(),
  KAFKA_REPLICATION_FACTOR: int(1, 32).default(1),
  KAFKA_PARTITIONS: int(1, 1000).default(3),
  EMAIL_SENT_TOPIC: topicName.default(DEFAULT_TOPICS.events),
  EMAIL_DEAD_LETTER_TOPIC: topicName.default(DEFAULT_TOPICS.deadLetters),
  POLLER_PROGRESS_TOPIC: topicName.default(DEFAULT_TOPICS.progress),
  EVENTS_MAX_MESSAGE_BYTES: int(64 * 1024, 64 * 1024 * 1024).default(8 * 1024 * 1024),
  // Explicit, so that "replay from the beginning" does not mean the broker's default (often
  // 7 days): a quarter of events for subscribers that bootstrap or rebuild, and a month of dead
  // letters for someone to look at them (each alert fires within the hour).
  EVENTS_RETENTION_MS: retentionMs.default(90 * DAY_MS),
  DEAD_LETTER_RETENTION_MS: retentionMs.default(30 * DAY_MS),
  POLL_START_AT: z.iso
    .datetime({
      offset: true,
      error: 'must be an RFC 3339 instant such as 2026-01-01T00:00:00-05:00',
    })
    .transform((s) => new Date(s))
    .optional(),
  POLL_INTERVAL_SECONDS: int(1, 86_400).default(300),
  POLL_LOOKBACK_SECONDS: int(0, 31 * 86_400).default(3600),
  POLL_SETTLE_SECONDS: int(0, 86_400).default(60),
  POLL_LEASE_SECONDS: int(5, 3600).default(30),
  // The nightly re-read integrators do: 3 days catches what shows up hours late.
  POLL_RECONCILE_DAYS: int(0, 31).default(3),
  POLL_RECONCILE_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM, such as 03:00')
    .default('03:00'),
  POLLER_INSTANCE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be letters, digits, . _ or - (e.g. the pod name)')
    .optional(),
  // A fleet's group (POLLER_OPERATIONS_FILE set): read only then.
  POLLER_FLEET_GROUP: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, . _ or -')
    .default('wolkvox-poller-fleet'),
  POLLER_FLEET_TOPIC: topicName.default('wolkvox.poller.fleet'),
  POLLER_FLEET_PARTITIONS: int(1, 1000).default(60),
  // The broker's group.min.session.timeout.ms is 6 s by default.
  POLLER_FLEET_SESSION_TIMEOUT_SECONDS: int(6, 300).default(10),
  HTTP_PORT: int(0, 65_535).default(8080),
  LOG_LEVEL: z
    .enum(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
      'must be fatal, error, warn, info, debug or trace',
    )
    .default('info'),
  SHUTDOWN_TIMEOUT_SECONDS: int(1, 600).default(30),
});

/**
 * Rules between variables. Checked on the raw environment, apart from the schema, so that they
 * are reported together with every other problem (zod skips refinements of an object that
 * already failed).
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if ((env.WOLKVOX_TOKEN === undefined) === (env.WOLKVOX_TOKEN_FILE === undefined)) {
    problems.push('WOLKVOX_TOKEN: set exactly one of WOLKVOX_TOKEN and WOLKVOX_TOKEN_FILE');
  }
  if (env.KAFKA_SASL_MECHANISM) {
    if (env.KAFKA_SASL_USERNAME === undefined)
      problems.push('KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM');
    if ((env.KAFKA_SASL_PASSWORD === undefined) === (env.KAFKA_SASL_PASSWORD_FILE === undefined))
      problems.push(
        'KAFKA_SASL_PASSWORD: set exactly one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE with KAFKA_SASL_MECHANISM',
      );
  }
  return problems;
}

export interface PollerConfig {
  wolkvox: {
    server: string;
    /** From WOLKVOX_TOKEN (fixed) or WOLKVOX_TOKEN_FILE (read again while the poller runs). */
    token: RotatingSecret;
    baseUrl: string | undefined;
    timeZone: string;
    maxConcurrency: 1 | 2;
    dailyQuota: number | undefined;
    callTimeoutMs: number;
    /** How long after it was sent a call given up on may still run on the server (0: not at all). */
    abandonedCallMs: number;
    /** Records per response at which the API cuts without saying so (60,000 documented). */
    maxRecords: number;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    /** KAFKA_CLIENT: the Kafka client library behind the ports (kafka/kafka-client.ts). */
    client: 'kafkajs' | 'platformatic';
    /** KAFKA_SSL, or any KAFKA_SSL_*_FILE set. */
    ssl: boolean;
    /** The CA and client certificate files (config/kafka-tls.ts), read at start. */
    tls: KafkaTls | undefined;
    sasl:
      | {
          mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
          username: string;
          /** From KAFKA_SASL_PASSWORD (fixed) or KAFKA_SASL_PASSWORD_FILE (read again). */
          password: RotatingSecret;
        }
      | undefined;
    replicationFactor: number;
    partitions: number;
    eventsMaxMessageBytes: number;
    /** `retention.ms` of the events and dead-letter topics it creates (-1: forever). */
    eventsRetentionMs: number;
    deadLetterRetentionMs: number;
  };
  topics: Topics;
  poll: {
    startAt: Date | undefined;
    intervalSeconds: number;
    lookbackSeconds: number;
    settleSeconds: number;
    leaseSeconds: number;
    /** The daily reconciliation pass: days re-read (0 = off), and when (local minutes of day). */
    reconcile: { days: number; atMinute: number };
  };
  /** This process's name in the operation's lease; a restart under the same name resumes at once. */
  instanceId: string;
  /**
   * The Kafka group a fleet's replicas share its operations through (fleet/), used when
   * POLLER_OPERATIONS_FILE lists the operations: the group, the topic whose partitions carry
   * them (made with `partitions` if missing; never written to), and how long the coordinator
   * waits for a silent replica before its operations move.
   */
  fleet: { groupId: string; topic: string; partitions: number; sessionTimeoutMs: number };
  http: { port: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  shutdownTimeoutMs: number;
}

export type ConfigResult =
  | {
      ok: true;
      config: PollerConfig;
      /** Unknown variables with the product's prefixes that are not near a known name. */
      warnings: string[];
      /** The settings in effect, defaults included, secrets masked: one line at start. */
      settings: string;
    }
  | { ok: false; problems: string[] };

/** Every variable the poller reads. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...Object.keys(EnvSchema.shape),
  ...KAFKA_TLS_VARIABLES,
]);

/** Names of the variables that hold secrets: their values are never echoed in a problem. */
const SECRET_VARIABLES = new Set(['WOLKVOX_TOKEN', 'KAFKA_SASL_PASSWORD']);

export function loadConfig(
  env: NodeJS.ProcessEnv,
  readFile: ReadFile = (p) => readFileSync(p, 'utf8'),
): ConfigResult {
  // Empty strings count as unset, the way docker-compose passes `VAR=`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  const tls = kafkaTlsFrom(present, readFile);
  const names = checkVariableNames(Object.keys(present), KNOWN_VARIABLES);
  const crossField = [...crossFieldProblems(present), ...tls.problems, ...names.typos];
  if (!parsed.success || crossField.length) {
    const problems = (parsed.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const shown =
        SECRET_VARIABLES.has(name) || !(name in present)
          ? ''
          : ` (got ${JSON.stringify(present[name])})`;
      const message =
        issue.code === 'invalid_type' && !(name in present) ? 'is required' : issue.message;
      return `${name}: ${message}${shown}`;
    });
    return { ok: false, problems: [...new Set([...problems, ...crossField])] };
  }
  const e = parsed.data;
  const token = secretFrom(
    'WOLKVOX_TOKEN',
    e.WOLKVOX_TOKEN,
    e.WOLKVOX_TOKEN_FILE,
    (value) => (TOKEN_PATTERN.test(value) ? undefined : TOKEN_RULE),
    readFile,
  );
  const password = e.KAFKA_SASL_MECHANISM
    ? secretFrom(
        'KAFKA_SASL_PASSWORD',
        e.KAFKA_SASL_PASSWORD,
        e.KAFKA_SASL_PASSWORD_FILE,
        () => undefined,
        readFile,
      )
    : undefined;
  const fileProblems = [token, password].flatMap((r) => (r && !r.ok ? [r.problem] : []));
  if (!token.ok || (password && !password.ok)) return { ok: false, problems: fileProblems };
  return {
    ok: true,
    warnings: names.unknown,
    settings: describeSettings(e, SECRET_VARIABLES),
    config: {
      wolkvox: {
        server: e.WOLKVOX_SERVER,
        token: token.secret,
        baseUrl: e.WOLKVOX_BASE_URL,
        timeZone: e.WOLKVOX_TIMEZONE,
        maxConcurrency: e.WOLKVOX_MAX_CONCURRENCY as 1 | 2,
        dailyQuota: e.WOLKVOX_DAILY_QUOTA,
        callTimeoutMs: e.WOLKVOX_CALL_TIMEOUT_SECONDS * 1000,
        abandonedCallMs: e.WOLKVOX_ABANDONED_CALL_SECONDS * 1000,
        maxRecords: e.WOLKVOX_MAX_RECORDS,
      },
      kafka: {
        brokers: e.KAFKA_BROKERS,
        clientId: e.KAFKA_CLIENT_ID,
        client: e.KAFKA_CLIENT,
        ssl: e.KAFKA_SSL || tls.tls !== undefined,
        tls: tls.tls,
        sasl: e.KAFKA_SASL_MECHANISM
          ? {
              mechanism: e.KAFKA_SASL_MECHANISM,
              username: e.KAFKA_SASL_USERNAME!,
              password: password!.secret,
            }
          : undefined,
        replicationFactor: e.KAFKA_REPLICATION_FACTOR,
        partitions: e.KAFKA_PARTITIONS,
        eventsMaxMessageBytes: e.EVENTS_MAX_MESSAGE_BYTES,
        eventsRetentionMs: e.EVENTS_RETENTION_MS,
        deadLetterRetentionMs: e.DEAD_LETTER_RETENTION_MS,
      },
      topics: {
        events: e.EMAIL_SENT_TOPIC,
        deadLetters: e.EMAIL_DEAD_LETTER_TOPIC,
        progress: e.POLLER_PROGRESS_TOPIC,
      },
      poll: {
        startAt: e.POLL_START_AT,
        intervalSeconds: e.POLL_INTERVAL_SECONDS,
        lookbackSeconds: e.POLL_LOOKBACK_SECONDS,
        settleSeconds: e.POLL_SETTLE_SECONDS,
        leaseSeconds: e.POLL_LEASE_SECONDS,
        reconcile: { days: e.POLL_RECONCILE_DAYS, atMinute: minuteOfDay(e.POLL_RECONCILE_AT) },
      },
      instanceId: e.POLLER_INSTANCE_ID ?? hostname(),
      fleet: {
        groupId: e.POLLER_FLEET_GROUP,
        topic: e.POLLER_FLEET_TOPIC,
        partitions: e.POLLER_FLEET_PARTITIONS,
        sessionTimeoutMs: e.POLLER_FLEET_SESSION_TIMEOUT_SECONDS * 1000,
      },
      http: { port: e.HTTP_PORT },
      logLevel: e.LOG_LEVEL,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    },
  };
}

function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** A secret given as `name` (fixed) or as `${name}_FILE` (read now, and again while running). */
function secretFrom(
  name: string,
  value: string | undefined,
  path: string | undefined,
  rule: (value: string) => string | undefined,
  readFile: ReadFile,
): { ok: true; secret: RotatingSecret } | { ok: false; problem: string } {
  if (path !== undefined) return RotatingSecret.fromFile(`${name}_FILE`, path, rule, readFile);
  return { ok: true, secret: RotatingSecret.fixed(name, value!) };
}
