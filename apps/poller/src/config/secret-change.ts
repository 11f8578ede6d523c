/**
 * What one read of a secret file means, decided apart from the reading (pure). A file that
 * cannot be read or holds nothing usable keeps the value in use: a Secret volume is briefly
 * in between during an update, and dropping a working token for an empty one would stop the
 * poller for nothing. No problem text ever repeats the file's content.
 */
export type SecretRead = { ok: true; text: string } | { ok: false; code: string };

export type SecretCheck =
  | { kind: 'unchanged' }
  | { kind: 'changed'; value: string }
  | { kind: 'unusable'; problem: string };

/** Says why a value cannot be used (never quoting it), or undefined when it can. */
export type SecretRule = (value: string) => string | undefined;

export function checkSecretRead(
  path: string,
  read: SecretRead,
  current: string | undefined,
  rule: SecretRule,
): SecretCheck {
  if (!read.ok) return { kind: 'unusable', problem: `cannot read ${path} (${read.code})` };
  // Trimmed: a secret written with `echo` or an editor ends with a newline.
  const value = read.text.trim();
  if (!value) return { kind: 'unusable', problem: `${path} is empty` };
  const broken = rule(value);
  if (broken) return { kind: 'unusable', problem: `${path}: ${broken}` };
  return value === current ? { kind: 'unchanged' } : { kind: 'changed', value };
}
