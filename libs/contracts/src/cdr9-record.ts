import { z } from 'zod';
import { parseWallTime, type WallSeconds } from './local-time.js';

/**
 * One row of Wolkvox report `cdr_9` ("Detalles de correo") exactly as the API sends it: six
 * strings, no id. `date` is the operation's local wall time with no offset.
 */
export const Cdr9RecordSchema = z
  .object({
    channel: z
      .string()
      .describe('email-route-xxxxx for a routing point, campaign-xxxxx for a campaign'),
    date: z
      .string()
      .refine((d) => parseWallTime(d) !== null, {
        message: 'must be a real local time written YYYY-MM-DD HH:MM:SS',
      })
      // The pattern only informs the generated JSON Schema (zod drops refinements there); the
      // refinement above is what rejects dates like 2026-02-30.
      .meta({
        description: "when the email was sent, the operation's local time, YYYY-MM-DD HH:MM:SS",
        pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$',
      }),
    from: z.string().describe('sender address'),
    to: z.string().describe('recipient address or addresses as Wolkvox wrote them'),
    subject: z.string(),
    body: z.string().describe('the email body, often HTML'),
  })
  // Fields Wolkvox may add later are kept (losslessly, in the event's raw copy) rather than
  // sending every record to the dead-letter topic the day the API grows a column.
  .loose()
  .describe('One cdr_9 record as returned by the Wolkvox Reports Manager API');

export type Cdr9Record = z.infer<typeof Cdr9RecordSchema>;

/** The six fields in the order the idempotency key and every canonical form use. */
export const CDR9_FIELDS = ['channel', 'date', 'from', 'to', 'subject', 'body'] as const;

export type Cdr9Validation =
  { ok: true; record: Cdr9Record; wall: WallSeconds } | { ok: false; raw: unknown; reason: string };

/**
 * Validates one raw element of the response's `data`. Never throws: an invalid record comes back
 * with its raw value and a reason naming each bad field, for the dead-letter topic.
 */
export function validateCdr9Record(raw: unknown): Cdr9Validation {
  const wall = wallOfPlainRecord(raw);
  if (wall !== null) return { ok: true, record: raw as Cdr9Record, wall };
  const parsed = Cdr9RecordSchema.safeParse(raw);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'record'}: ${issue.message}`)
      .join('; ');
    return { ok: false, raw, reason };
  }
  return { ok: true, record: parsed.data, wall: parseWallTime(parsed.data.date)! };
}

/**
 * The schema's verdict on the records the API sends, without zod: an object (not an array)
 * whose six fields are strings and whose `date` is a real local time is exactly what
 * `Cdr9RecordSchema` accepts, and its output would be a copy with the same fields. A look-back
 * re-read after a campaign validates tens of thousands of such records per poll; this check
 * costs a tenth of the parse. Null for anything else, which zod then explains.
 */
function wallOfPlainRecord(raw: unknown): WallSeconds | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const record = raw as Record<string, unknown>;
  for (const field of CDR9_FIELDS) if (typeof record[field] !== 'string') return null;
  return parseWallTime(record.date as string);
}
