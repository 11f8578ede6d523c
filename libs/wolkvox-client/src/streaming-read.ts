import { formatQueryTime, validateCdr9Record } from '@app/contracts';
import type { Dispatcher } from 'undici';
import { classifyResponse, type ResponseClass } from './classify-response.js';
import { describeError, neverConnected } from './describe-error.js';
import {
  EnvelopeStreamParser,
  EnvelopeSyntaxError,
  type ParsedEnvelope,
} from './envelope-stream-parser.js';
import type { RecordSink, WallWindow } from './fetch-outcome.js';

/** What one HTTP attempt came to. */
export type AttemptResult =
  | {
      kind: 'answered';
      httpStatus: number;
      class: ResponseClass;
      returned: number;
    }
  | { kind: 'timed-out' }
  /** `connected`: the request may have reached the server (not a refused connection). */
  | { kind: 'network-error'; reason: string; connected: boolean };

/** The caller stopped the read: its sink failed, or its signal aborted. Reported, then thrown. */
export type Abandoned = { kind: 'abandoned' };

/** An error thrown by the caller's sink: it leaves the client as it came, never retried. */
export class SinkError extends Error {
  constructor(readonly original: unknown) {
    super('record sink failed');
  }
}

export interface AttemptRequest {
  dispatcher: Dispatcher;
  origin: string;
  /** The report's path, with the window's query. */
  path: string;
  token: string;
  timeoutMs: number;
  /** Removes the token from an error's text. */
  scrub: (text: string) => string;
}

/** How the read ended; `httpStatus` once the response began, abandoned or not. */
export type AttemptRead =
  | { result: AttemptResult; httpStatus?: number }
  | { result: Abandoned; httpStatus?: number; thrown: unknown };

export function queryPath(path: string, window: WallWindow): string {
  const query = new URLSearchParams({
    date_ini: formatQueryTime(window.from),
    date_end: formatQueryTime(window.to),
    api: 'cdr_9',
  });
  return `${path}?${query.toString()}`;
}

/**
 * One HTTP request, its body parsed as it streams in and each element handed to `sink`,
 * bounded by the per-call timeout. An abandoned read comes back with what to throw, so that
 * the caller reports it first.
 */
export async function readAttempt(
  request: AttemptRequest,
  sink: RecordSink,
  signal: AbortSignal | undefined,
): Promise<AttemptRead> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('call timeout')), request.timeoutMs);
  const parser = new EnvelopeStreamParser((raw) => {
    try {
      sink.accept(validateCdr9Record(raw));
    } catch (error) {
      throw new SinkError(error);
    }
  });
  let httpStatus: number | undefined;
  try {
    const response = await request.dispatcher.request({
      origin: request.origin,
      path: request.path,
      method: 'GET',
      headers: { 'wolkvox-token': request.token, accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
    });
    httpStatus = response.statusCode;
    let envelope: ParsedEnvelope | undefined;
    let syntaxError: string | undefined;
    try {
      for await (const chunk of response.body) {
        parser.write(chunk as Buffer);
        await sink.drain().catch((error: unknown) => {
          throw new SinkError(error);
        });
      }
      envelope = parser.end();
    } catch (error) {
      if (!(error instanceof EnvelopeSyntaxError)) throw error;
      // Leaving the loop early destroyed the body; the socket is not reused.
      syntaxError = error.message;
    }
    const answer = classifyResponse({ httpStatus, envelope, syntaxError });
    return {
      httpStatus,
      result: { kind: 'answered', httpStatus, class: answer, returned: envelope?.elements ?? 0 },
    };
  } catch (error) {
    if (error instanceof SinkError || signal?.aborted) {
      // The request was made and spent its unit: it is reported like any other.
      const thrown: unknown = error instanceof SinkError ? error : signal!.reason;
      return { httpStatus, result: { kind: 'abandoned' }, thrown };
    }
    const result: AttemptResult = timeout.signal.aborted
      ? { kind: 'timed-out' }
      : {
          kind: 'network-error',
          reason: request.scrub(describeError(error)),
          connected: !neverConnected(error),
        };
    return { httpStatus, result };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether an attempt ended with the call perhaps still running on the server: it timed out, the
 * connection broke after it was made, or the caller stopped it midway (no result).
 */
export function mayStillRun(result: AttemptResult | undefined): boolean {
  if (result === undefined) return true;
  if (result.kind === 'timed-out') return true;
  return result.kind === 'network-error' && result.connected;
}
