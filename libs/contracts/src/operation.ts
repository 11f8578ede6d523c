import { z } from 'zod';
import { isValidTimeZone } from './local-time.js';
import { SERVER_CODE_PATTERN } from './wolkvox-api.js';

/**
 * A Wolkvox operation: the server code (`0010` in `wv0010.wolkvox.com`) and the IANA zone its
 * clock runs in. The server is the operation's identity in idempotency keys and event sources.
 */
export const OperationSchema = z.object({
  // The characters of a host label: the code becomes one in `source` and part of every key.
  server: z.string().regex(SERVER_CODE_PATTERN, {
    message: "must be letters, digits and '-' only, e.g. 0010",
  }),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { message: 'must be an IANA time zone, e.g. America/Bogota' }),
});

export interface Operation {
  readonly server: string;
  readonly timeZone: string;
}

/**
 * The CloudEvents `source` of the operation's cdr_9 events: `wolkvox://wv{server}/reports/cdr_9`.
 * An absolute URI (a URI-reference, as CloudEvents requires) that names the operation and the
 * report. It is deliberately not the API's URL: that can be overridden per deployment
 * (`WOLKVOX_BASE_URL`), while the source must stay the same for the same emails.
 */
export function emailSentSource(server: string): string {
  return `wolkvox://wv${server}/reports/cdr_9`;
}
