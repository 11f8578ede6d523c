/**
 * Just enough PromQL reading for the operations kit's tests: which metrics an expression names,
 * and the selectors it queries them with. Not a parser: it relies on the kit's expressions
 * quoting label values and naming functions with a parenthesis after them.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'on', 'ignoring']);

/** The expression without what cannot hold a metric name: strings, label sets, ranges, groupings. */
function skeleton(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
}

/** Metric names the expression reads (identifiers that are neither functions nor keywords). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const match of skeleton(expr).matchAll(/\b([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)) {
    const name = match[1];
    if (!KEYWORDS.has(name) && !/^\d/.test(name)) names.add(name);
  }
  return [...names];
}

/** Each selector of those metrics, with its label matchers: `name{a="b"}` or `name`. */
export function selectors(expr: string): string[] {
  const names = new Set(metricNames(expr));
  const found = new Set<string>();
  for (const match of expr.matchAll(/\b([a-zA-Z_:][\w:]*)(\{[^}]*\})?/g)) {
    if (names.has(match[1])) found.add(`${match[1]}${match[2] ?? ''}`);
  }
  return [...found];
}

/** Sample names of a Prometheus text exposition (`name_bucket`, `name_sum` included). */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}
