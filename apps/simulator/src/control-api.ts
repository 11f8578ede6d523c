import { parseWallTime } from '@app/contracts';
import { z } from 'zod';
import { CODE_STYLES } from './api-rules.js';
import { FAULT_KINDS } from './fault-plan.js';
import { EMPTY_ANSWERS } from './simulator-options.js';
import { BOUNDS_MODES, RECORD_ORDERS, storedRecord, type StoredRecord } from './record-store.js';
import type { ZoneClock } from './zone-clock.js';

/** Bodies of the control API, checked before anything changes. */
const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);

export const AppendRecordsBody = z.object({
  records: z.array(
    z
      .object({
        /** The record exactly as the API should send it (it may be invalid on purpose). */
        record: z.record(z.string(), z.unknown()),
        /** When the API starts returning it: RFC 3339 or ms since the epoch. Default: now. */
        visibleAt: z.union([z.iso.datetime({ offset: true }), z.number().int()]).optional(),
        /** `YYYY-MM-DD HH:MM:SS` to file it under when `record.date` is not a valid date. */
        indexDate: z.string().optional(),
      })
      .strict(),
  ),
});

export const FaultsBody = z
  .object({
    latencyMs: ms,
    latencyJitterMs: ms,
    serverErrorRate: rate,
    hangRate: rate,
    malformedRate: rate,
    resetRate: rate,
    maintenanceRate: rate,
    hangMs: ms,
    queue: z.array(z.enum(FAULT_KINDS)),
  })
  .partial()
  .strict();

export const SettingsBody = z
  .object({
    order: z.enum(RECORD_ORDERS),
    bounds: z.enum(BOUNDS_MODES),
    codeStyle: z.enum(CODE_STYLES),
    emptyAnswer: z.enum(EMPTY_ANSWERS),
    truncationLimit: z.number().int().min(1),
    maxConcurrency: z.number().int().min(1),
    abandonedHoldMs: ms,
    dailyQuota: z.number().int().min(0).nullable(),
  })
  .partial()
  .strict();

export const ResetBody = z.object({ data: z.enum(['generated', 'empty']).optional() }).strict();

/** The token the API accepts from now on; the old one is refused at once, as Wolkvox does. */
export const TokenBody = z.object({ token: z.string().min(1) }).strict();

export const LiveBody = z.object({ perSecond: z.number().min(0).max(10_000) }).strict();

/** Parses a body or throws an Error whose message lists every problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new Error(
    parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; '),
  );
}

/** Turns appended items into stored records; throws naming the first item with no usable date. */
export function toStoredRecords(
  body: z.infer<typeof AppendRecordsBody>,
  clock: ZoneClock,
): StoredRecord[] {
  const nowMs = clock.nowMs();
  return body.records.map((item, index) => {
    const dateText = item.indexDate ?? item.record.date;
    const wall = typeof dateText === 'string' ? parseWallTime(dateText) : null;
    if (wall === null) {
      throw new Error(
        `records.${index}: record.date is not a valid date; give indexDate to file it under`,
      );
    }
    const visibleAt =
      item.visibleAt === undefined
        ? nowMs
        : typeof item.visibleAt === 'number'
          ? item.visibleAt
          : Date.parse(item.visibleAt);
    return storedRecord(item.record, wall, visibleAt);
  });
}
