/**
 * Variables that look like the poller's (they carry one of its prefixes) but are none of its
 * settings. One close to a known name (an edit or two away) is almost surely a typo, and
 * silently running on the default instead can cost a lot: a misspelt KAFKA_REPLICATION_FACTOR
 * creates topics with one replica for good, a misspelt WOLKVOX_DAILY_QUOTA lifts the cap. Those
 * stop the start like any bad value. Others are only named in a warning: platforms inject
 * variables with these prefixes (Kubernetes adds KAFKA_PORT, KAFKA_SERVICE_HOST... for a Service
 * named kafka), and refusing them would break deployments that never meant to configure us.
 */

const PREFIXES = [
  'WOLKVOX_',
  'KAFKA_',
  'POLL_',
  'POLLER_',
  'EMAIL_',
  'EVENTS_',
  'DEAD_LETTER_',
  'HTTP_',
  'LOG_',
  'SHUTDOWN_',
];

/** Edits at most for a name to count as a typo of a known one. */
const TYPO_DISTANCE = 2;

export interface NameFindings {
  /** Near misses of a known name: configuration errors. */
  typos: string[];
  /** Other unknown names with the product's prefixes: warnings. */
  unknown: string[];
}

export function checkVariableNames(
  names: Iterable<string>,
  known: ReadonlySet<string>,
): NameFindings {
  const findings: NameFindings = { typos: [], unknown: [] };
  for (const name of names) {
    if (known.has(name) || !PREFIXES.some((p) => name.startsWith(p))) continue;
    const closest = closestOf(name, known);
    if (closest && closest.distance <= TYPO_DISTANCE) {
      findings.typos.push(`${name}: is not a setting; did you mean ${closest.name}?`);
    } else {
      const hint =
        closest && closest.distance <= name.length / 3 ? `; closest: ${closest.name}` : '';
      findings.unknown.push(`${name}: is not a setting of the poller, ignored${hint}`);
    }
  }
  return findings;
}

function closestOf(name: string, known: ReadonlySet<string>) {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
