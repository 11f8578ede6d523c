/**
 * How long publishing stopped around a fault, from the instants (ms since the epoch) at which
 * the poller logged a committed window: the failover test and the failover bench read them from
 * the poller's own log ("published window ...").
 */
export interface CommitGap {
  /** The last commit before the fault (undefined when there was none). */
  lastBefore: number | undefined;
  /** From the fault to the first commit after it, ms. */
  firstAfterMs: number;
  /** The longest time without a commit from the last one before the fault to `until`, ms. */
  longestMs: number;
}

/**
 * `commits` in any order; `faultAt` the instant the node was killed or stopped; `until` the end
 * of the span looked at (a commit at or after it must exist: the span is over only once
 * publishing has resumed). Undefined when no commit came after the fault.
 */
export function commitGap(
  commits: number[],
  faultAt: number,
  until: number,
): CommitGap | undefined {
  const sorted = [...commits].sort((a, b) => a - b);
  const end = sorted.find((t) => t > faultAt && t >= until);
  if (end === undefined) return undefined;
  const lastBefore = sorted.filter((t) => t <= faultAt).pop();
  // Without a commit before the fault, the gap counts from the fault itself.
  const points = [lastBefore ?? faultAt, ...sorted.filter((t) => t > faultAt && t <= end)];
  let longestMs = 0;
  for (let i = 1; i < points.length; i++)
    longestMs = Math.max(longestMs, points[i] - points[i - 1]);
  return { lastBefore, firstAfterMs: points[1] - faultAt, longestMs };
}

/** Median and worst of a list of figures (ms). */
export function medianAndWorst(values: number[]): { median: number; worst: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, worst: sorted[sorted.length - 1] };
}
