/**
 * JSON text with object keys sorted (by UTF-16 code units, as `Array.prototype.sort` compares),
 * at every depth, and no whitespace. Two values that are equal as JSON give the same text, so the
 * text can be compared or hashed. Non-JSON values (undefined, functions) are dropped or turned
 * into `null` exactly as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) => {
    if (nested === null || typeof nested !== 'object' || Array.isArray(nested)) return nested;
    const source = nested as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) sorted[key] = source[key];
    return sorted;
  });
}
