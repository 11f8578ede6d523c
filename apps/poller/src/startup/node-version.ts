/**
 * The lowest Node.js the poller runs on: package.json's `engines` floor (a spec keeps the two
 * equal). npm only warns about `engines`, and `node dist/...` does not look at it at all, so a
 * Node below it would run until something it lacks is reached.
 */
export const NODE_FLOOR = '22.22.0';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);
}

/** One line when `version` (process.version) is below the floor, undefined otherwise. */
export function nodeVersionProblem(version: string, floor = NODE_FLOOR): string | undefined {
  const have = parts(version);
  const need = parts(floor);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > need[i]) return undefined;
    if ((have[i] ?? 0) < need[i])
      return `Node.js ${version.replace(/^v/, '')} is too old: the poller needs ${floor} or later (package.json engines)`;
  }
  return undefined;
}
