import type { z } from 'zod';

/**
 * The shapes of a Kafka message on the way in and out, written structurally so that this lib
 * needs no Kafka client: kafkajs' `KafkaMessage` (Buffers everywhere, a header repeated becomes
 * an array) is assignable to `RawKafkaMessage`, and `EncodedMessage` is assignable to kafkajs'
 * `Message`.
 */

export type RawHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export interface RawKafkaMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, RawHeaderValue>>;
}

export interface EncodedMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text of a key, header or value; null when the bytes are not UTF-8 (never replaced silently). */
export function utf8Text(bytes: Buffer | string): string | null {
  if (typeof bytes === 'string') return bytes;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The one value of a header, looked up case-insensitively (Kafka header names are case-sensitive
 * bytes, but producers in the wild write `Content-Type` too). A header sent twice is ambiguous and
 * reported rather than guessed at.
 */
export function readHeader(
  headers: RawKafkaMessage['headers'],
  name: string,
): { ok: true; value: string | undefined } | { ok: false; error: string } {
  const values: (Buffer | string)[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    values.push(...(Array.isArray(value) ? value : [value]));
  }
  if (values.length === 0) return { ok: true, value: undefined };
  if (values.length > 1)
    return { ok: false, error: `headers.${name}: sent ${values.length} times` };
  const text = utf8Text(values[0]);
  if (text === null) return { ok: false, error: `headers.${name}: not UTF-8` };
  return { ok: true, value: text };
}

/**
 * Checks a `content-type` against the expected media type: the type/subtype must match
 * (case-insensitively, as RFC 9110 says) and a `charset`, when given, must be UTF-8.
 */
export function checkContentType(actual: string | undefined, expected: string): string | null {
  if (actual === undefined) return `headers.content-type: missing, expected ${expected}`;
  const [mediaType, ...parameters] = actual.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== expected) {
    return `headers.content-type: "${actual}" is not ${expected}`;
  }
  for (const parameter of parameters) {
    const [name, rawValue = ''] = parameter.split('=').map((part) => part.trim());
    const value = rawValue.replace(/^"(.*)"$/, '$1');
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') {
      return `headers.content-type: charset "${value}" is not UTF-8`;
    }
  }
  return null;
}

/** Parses the message value as JSON text, naming what is wrong with it when it is not. */
export function parseJsonValue(value: RawKafkaMessage['value']): Decoded<unknown> {
  if (value === null || value === undefined) {
    return { ok: false, error: 'value: missing (a tombstone has no event)' };
  }
  const text = utf8Text(value);
  if (text === null) return { ok: false, error: 'value: not UTF-8' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `value: not JSON (${(error as Error).message})` };
  }
}

/** `data.recipients[1]: Invalid input: expected string, received number; ...` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path
        .map((segment, index) =>
          typeof segment === 'number'
            ? `[${segment}]`
            : `${index === 0 ? '' : '.'}${String(segment)}`,
        )
        .join('');
      return `${path || 'value'}: ${issue.message}`;
    })
    .join('; ');
}
