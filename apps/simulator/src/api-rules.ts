import { MAX_QUERY_SPAN_SECONDS, parseQueryTime, type WallSeconds } from '@app/contracts';
import type { CallOutcome } from './call-log.js';

/**
 * The Reports Manager's answers, from the vendor's response-code page. Pure: the service
 * applies them in the order the real API seems to (token, budget, concurrency, parameters).
 */
export interface ApiAnswer {
  status: number;
  error: string | null;
  msg: string;
  outcome: CallOutcome;
}

export const MAX_RANGE_SECONDS = MAX_QUERY_SPAN_SECONDS;

export const MISSING_TOKEN: ApiAnswer = {
  status: 401,
  error: 'UNAUTHORIZED',
  msg: 'PLEASE ENTER THE WOLKVOX-TOKEN',
  outcome: 'missing-token',
};
export const WRONG_TOKEN: ApiAnswer = {
  status: 403,
  error: 'FORBIDDEN',
  msg: 'PLEASE VALIDATE TOKEN',
  outcome: 'bad-token',
};
export const QUOTA_EXCEEDED: ApiAnswer = {
  status: 403,
  error: 'FORBIDDEN',
  msg: 'TOKEN LIMIT EXCEEDED',
  outcome: 'quota-exceeded',
};
export function tooManySimultaneous(max: number): ApiAnswer {
  return {
    status: 403,
    error: 'FORBIDDEN',
    msg: `EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (${max})`,
    outcome: 'too-many-simultaneous',
  };
}
export const UNKNOWN_API: ApiAnswer = {
  status: 400,
  error: 'BAD REQUEST',
  msg: 'THE API YOU WANT TO CONSULT DOES NOT EXIST',
  outcome: 'unknown-api',
};
export const MISSING_PARAMS: ApiAnswer = {
  status: 400,
  error: 'BAD REQUEST',
  msg: 'SOME PARAMETERS ARE REQUIRED',
  outcome: 'missing-params',
};
// The vendor documents the 31-day limit but not its answer; a 400 makes a client bug loud.
export const RANGE_TOO_LONG: ApiAnswer = {
  status: 400,
  error: 'BAD REQUEST',
  msg: 'THE MAXIMUM RANGE BETWEEN date_ini AND date_end IS 31 DAYS',
  outcome: 'range-too-long',
};
export const EMPTY_WINDOW: ApiAnswer = {
  status: 404,
  error: 'NOT FOUND',
  msg: 'Validate dates entered',
  outcome: 'empty',
};
// The vendor's help center shows a 403 during backups without quoting it; any wording will do
// as long as it is none of the documented 403 messages.
export const MAINTENANCE: ApiAnswer = {
  status: 403,
  error: 'FORBIDDEN',
  msg: 'THE SERVER IS IN MAINTENANCE (BACKUP IN PROGRESS), PLEASE TRY AGAIN LATER',
  outcome: 'maintenance',
};
export const SERVER_ERROR: ApiAnswer = {
  status: 500,
  error: 'INTERNAL SERVER ERROR',
  msg: 'AN ERROR OCCURRED, PLEASE TRY AGAIN',
  outcome: 'server-error',
};

export function found(count: number): Omit<ApiAnswer, 'outcome'> {
  return { status: 200, error: null, msg: `${count} records were found` };
}

export function checkToken(sent: string | undefined, expected: string): ApiAnswer | undefined {
  if (sent === undefined || sent === '') return MISSING_TOKEN;
  return sent === expected ? undefined : WRONG_TOKEN;
}

export interface QueryParams {
  api?: string;
  date_ini?: string;
  date_end?: string;
}

/** The window asked for (inclusive at both ends), or the answer refusing the parameters. */
export function readWindow(
  params: QueryParams,
): { from: WallSeconds; to: WallSeconds } | ApiAnswer {
  if (params.api === undefined || params.api === '') return MISSING_PARAMS;
  if (params.api !== 'cdr_9') return UNKNOWN_API;
  if (!params.date_ini || !params.date_end) return MISSING_PARAMS;
  const from = parseQueryTime(params.date_ini);
  const to = parseQueryTime(params.date_end);
  // Not documented: a date that is not YYYYmmddHHiiss is read as a missing parameter.
  if (from === null || to === null) return MISSING_PARAMS;
  // A window that ends before it starts holds nothing: the same 404 as any empty window.
  if (from > to) return EMPTY_WINDOW;
  if (to - from > MAX_RANGE_SECONDS) return RANGE_TOO_LONG;
  return { from, to };
}

export type CodeStyle = 'number' | 'string' | 'mixed' | 'zero';
export const CODE_STYLES = ['number', 'string', 'mixed', 'zero'] as const;

/**
 * The envelope's `code`: the status as a number or as a string, as Wolkvox does both; `zero`
 * answers success with 0 or "0" (as some endpoints of the same API do) and errors as numbers.
 */
export function envelopeCode(status: number, style: CodeStyle, random: number): number | string {
  if (style === 'zero') return status !== 200 ? status : random < 0.5 ? 0 : '0';
  if (style === 'number' || (style === 'mixed' && random < 0.5)) return status;
  return String(status);
}
