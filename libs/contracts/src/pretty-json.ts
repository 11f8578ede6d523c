/**
 * JSON text laid out the way Prettier lays out a `.json` file (2-space indent, objects one entry
 * per line, arrays of scalars on one line when they fit in `printWidth`, final newline), so the
 * generated contract files pass `prettier --check` without the lib depending on Prettier. A spec
 * holds it to Prettier's own output.
 */
export function prettyJson(value: unknown, printWidth = 100): string {
  const plain = JSON.parse(JSON.stringify(value)) as unknown;
  return `${print(plain, 0, 0, 0, printWidth)}\n`;
}

/** Scalars, empty containers and arrays of those can share a line; objects never do here. */
function canBeFlat(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(canBeFlat);
  return Object.keys(value).length === 0;
}

function flat(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(flat).join(', ')}]` : JSON.stringify(value);
}

/** Prettier always breaks a list of two or more arrays that each hold two or more items. */
function mustBreak(array: unknown[]): boolean {
  return array.length > 1 && array.every((item) => Array.isArray(item) && item.length > 1);
}

/**
 * `column` is where the value starts on its line and `trailing` how many characters follow it
 * there (a comma); Prettier counts both when it decides whether an array fits.
 */
function print(
  value: unknown,
  indent: number,
  column: number,
  trailing: number,
  printWidth: number,
): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (canBeFlat(value) && !mustBreak(value)) {
      const text = flat(value);
      if (column + text.length + trailing <= printWidth) return text;
    }
    const items = value.map(
      (item, index) =>
        inner + print(item, indent + 2, indent + 2, index < value.length - 1 ? 1 : 0, printWidth),
    );
    return `[\n${items.join(',\n')}\n${' '.repeat(indent)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item], index) => {
    const prefix = `${JSON.stringify(key)}: `;
    const trail = index < entries.length - 1 ? 1 : 0;
    return inner + prefix + print(item, indent + 2, indent + 2 + prefix.length, trail, printWidth);
  });
  return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
}
