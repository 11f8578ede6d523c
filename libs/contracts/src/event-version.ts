import { EMAIL_SENT_SCHEMA_ID, EMAIL_SENT_TYPE } from './email-sent.event.js';

/**
 * The major version of `email.sent` this package reads. The package's own major version is the
 * same number (`@wolkvox-email-events/contracts` 1.x reads `email-sent:v1`), so a subscriber that
 * pins `^1` keeps reading the topic's events through every compatible (minor) change.
 */
export const EMAIL_SENT_MAJOR = 1;

const SCHEMA_BASE = EMAIL_SENT_SCHEMA_ID.replace(/:v\d+$/, ':v');

/**
 * The major version an envelope declares, when it declares another one than this package reads:
 * `type` `email.sent.v2`, or a `dataschema` naming `email-sent:v2`. Null for a v1 envelope and for
 * anything that names no version at all (the schema then says what is wrong with it).
 *
 * A newer *minor* version is v1 with fields this package does not know: it is not refused, the
 * tolerant decoder keeps them.
 */
export function unsupportedMajor(envelope: unknown): { major: number; error: string } | null {
  if (typeof envelope !== 'object' || envelope === null) return null;
  const { type, dataschema } = envelope as Record<string, unknown>;
  const fromType =
    typeof type === 'string' && type.startsWith(`${EMAIL_SENT_TYPE}.v`)
      ? { attribute: 'type', value: type, major: Number(type.slice(EMAIL_SENT_TYPE.length + 2)) }
      : null;
  const fromSchema =
    typeof dataschema === 'string' && dataschema.startsWith(SCHEMA_BASE)
      ? {
          attribute: 'dataschema',
          value: dataschema,
          major: Number(/^\d+/.exec(dataschema.slice(SCHEMA_BASE.length))?.[0] ?? NaN),
        }
      : null;
  for (const found of [fromType, fromSchema]) {
    if (found && Number.isInteger(found.major) && found.major !== EMAIL_SENT_MAJOR) {
      return {
        major: found.major,
        error:
          `${found.attribute}: "${found.value}" is email.sent major version ${found.major}; ` +
          `this decoder reads version ${EMAIL_SENT_MAJOR} only ` +
          `(a ${found.major}.x release of @wolkvox-email-events/contracts reads it)`,
      };
    }
  }
  return null;
}
