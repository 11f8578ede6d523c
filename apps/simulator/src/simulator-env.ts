import { isValidTimeZone, parseWallTime, wallTimeOf } from '@app/contracts';
import { z } from 'zod';
import type { Burst } from './data-generator.js';
import { CODE_STYLES } from './api-rules.js';
import { BOUNDS_MODES, RECORD_ORDERS } from './record-store.js';
import {
  EMPTY_ANSWERS,
  GENERATION_DEFAULTS,
  type SimulatorOptionsInput,
} from './simulator-options.js';

const rate = z.coerce.number().min(0).max(1);
const count = z.coerce.number().int().min(0);
const wallTime = z.string().transform((text, ctx) => {
  const wall = parseWallTime(text);
  if (wall === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a local time YYYY-MM-DD HH:MM:SS' });
    return z.NEVER;
  }
  return wall;
});
/** `2026-03-01 10:00:00=65000` or `2026-03-01 10:00:00=65000/600`, comma-separated. */
const bursts = z.string().transform((text, ctx): Burst[] => {
  const parsed: Burst[] = [];
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})=(\d+)(?:\/(\d+))?$/.exec(item);
    const at = match ? parseWallTime(match[1]) : null;
    if (!match || at === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}" is not <YYYY-MM-DD HH:MM:SS>=<count>[/<seconds>]`,
      });
      return z.NEVER;
    }
    parsed.push({ at, count: Number(match[2]), seconds: Math.max(1, Number(match[3] ?? 3600)) });
  }
  return parsed;
});

const EnvSchema = z.object({
  SIM_HOST: z.string().default('0.0.0.0'),
  SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(8089),
  SIM_TOKEN: z.string().min(1).default('dev-token'),
  SIM_SEED: z.string().min(1).default('1'),
  SIM_TIMEZONE: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as America/Bogota')
    .default('America/Bogota'),
  // `sorted` is the former name of `oldest`.
  SIM_ORDER: z
    .enum([...RECORD_ORDERS, 'sorted'])
    .transform((order) => (order === 'sorted' ? 'oldest' : order))
    .default('oldest'),
  SIM_BOUNDS: z.enum(BOUNDS_MODES).default('inclusive'),
  SIM_CODE_STYLE: z.enum(CODE_STYLES).default('mixed'),
  SIM_EMPTY_ANSWER: z.enum(EMPTY_ANSWERS).default('not-found'),
  SIM_TRUNCATION_LIMIT: z.coerce.number().int().min(1).default(60_000),
  SIM_DAILY_QUOTA: count.optional(),
  SIM_MAX_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  SIM_ABANDONED_HOLD_MS: count.default(0),
  SIM_DATA_FROM: wallTime.optional(),
  SIM_DATA_TO: wallTime.optional(),
  SIM_EMAILS_PER_HOUR: z.coerce.number().min(0).default(GENERATION_DEFAULTS.emailsPerHour),
  SIM_BURSTS: bursts.default([]),
  SIM_DUPLICATE_RATE: rate.default(GENERATION_DEFAULTS.duplicateRate),
  SIM_LATE_RATE: rate.default(GENERATION_DEFAULTS.lateRate),
  SIM_LATE_MAX_SECONDS: count.default(GENERATION_DEFAULTS.lateMaxSeconds),
  SIM_INVALID_RATE: rate.default(GENERATION_DEFAULTS.invalidRate),
  SIM_LARGE_BODY_RATE: rate.default(GENERATION_DEFAULTS.largeBodyRate),
  SIM_LARGE_BODY_BYTES: count.default(GENERATION_DEFAULTS.largeBodyBytes),
  SIM_LATENCY_MS: count.default(0),
  SIM_LATENCY_JITTER_MS: count.default(0),
  SIM_ERROR_RATE: rate.default(0),
  SIM_TIMEOUT_RATE: rate.default(0),
  SIM_HANG_MS: count.default(90_000),
  SIM_MALFORMED_RATE: rate.default(0),
  SIM_RESET_RATE: rate.default(0),
  SIM_MAINTENANCE_RATE: rate.default(0),
  SIM_LIVE_PER_SECOND: z.coerce.number().min(0).default(0),
});

/**
 * Simulator options from `SIM_*` variables. Without SIM_DATA_FROM/SIM_DATA_TO the data set
 * covers the 24 hours before start in the simulated zone; SIM_EMAILS_PER_HOUR=0 and no
 * SIM_BURSTS start with an empty store. Throws one line per bad variable.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv, now = new Date()): SimulatorOptionsInput {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(blankless);
  if (!parsed.success) {
    throw new Error(
      `invalid simulator configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  }
  const e = parsed.data;
  const to = e.SIM_DATA_TO ?? wallTimeOf(now, e.SIM_TIMEZONE);
  const from = e.SIM_DATA_FROM ?? to - 86_400 + 1;
  const generate = e.SIM_EMAILS_PER_HOUR > 0 || e.SIM_BURSTS.length > 0;
  return {
    host: e.SIM_HOST,
    port: e.SIM_PORT,
    token: e.SIM_TOKEN,
    seed: e.SIM_SEED,
    timeZone: e.SIM_TIMEZONE,
    order: e.SIM_ORDER,
    bounds: e.SIM_BOUNDS,
    codeStyle: e.SIM_CODE_STYLE,
    emptyAnswer: e.SIM_EMPTY_ANSWER,
    truncationLimit: e.SIM_TRUNCATION_LIMIT,
    dailyQuota: e.SIM_DAILY_QUOTA,
    maxConcurrency: e.SIM_MAX_CONCURRENCY,
    abandonedHoldMs: e.SIM_ABANDONED_HOLD_MS,
    generation: generate
      ? {
          from,
          to,
          emailsPerHour: e.SIM_EMAILS_PER_HOUR,
          bursts: e.SIM_BURSTS,
          duplicateRate: e.SIM_DUPLICATE_RATE,
          lateRate: e.SIM_LATE_RATE,
          lateMaxSeconds: e.SIM_LATE_MAX_SECONDS,
          invalidRate: e.SIM_INVALID_RATE,
          largeBodyRate: e.SIM_LARGE_BODY_RATE,
          largeBodyBytes: e.SIM_LARGE_BODY_BYTES,
        }
      : undefined,
    faults: {
      latencyMs: e.SIM_LATENCY_MS,
      latencyJitterMs: e.SIM_LATENCY_JITTER_MS,
      serverErrorRate: e.SIM_ERROR_RATE,
      hangRate: e.SIM_TIMEOUT_RATE,
      hangMs: e.SIM_HANG_MS,
      malformedRate: e.SIM_MALFORMED_RATE,
      resetRate: e.SIM_RESET_RATE,
      maintenanceRate: e.SIM_MAINTENANCE_RATE,
    },
    livePerSecond: e.SIM_LIVE_PER_SECOND,
    logger: true,
  };
}
