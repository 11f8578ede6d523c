/**
 * The settings in effect, defaults included, as one `NAME=value` line for the start-up log: what
 * a user needs to see that a variable was taken (or a default was). A secret shows as `***`,
 * whatever its value; a secret file shows its path, which is not secret.
 */
export function describeSettings(
  values: Record<string, unknown>,
  secrets: ReadonlySet<string>,
): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${secrets.has(name) ? '***' : shown(value)}`)
    .join(' ');
}

function shown(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
