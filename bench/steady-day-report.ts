/** What one simulated poll (a pass from `settledBefore` to the present) cost. */
export interface PollFigures {
  /** The simulated present when the poll started, ms since the epoch. */
  at: number;
  calls: number;
  /** Records the API returned, valid or not, in every call of the poll. */
  fetched: number;
  events: number;
  deadLetters: number;
  cpuSeconds: number;
  /** Peak RSS during the poll (VmHWM reset before it), MB. */
  peakRssMb: number;
}

export interface Campaign {
  name: string;
  /** When its last email went out, ms since the epoch. */
  endsAt: number;
}

/** The day's totals (peak RSS: the highest of any poll), and the hour after each campaign. */
export interface DaySummary extends Omit<PollFigures, 'at'> {
  polls: number;
  /** Per poll in the hour after each campaign ended. */
  afterCampaigns: Array<{
    name: string;
    polls: number;
    callsPerPoll: number;
    fetchedPerPoll: number;
    /** Median CPU seconds of those polls. */
    cpuSecondsPerPoll: number;
    peakRssMb: number;
  }>;
}

const HOUR_MS = 3_600_000;

/** Totals for the simulated day and the figures of the polls in the hour after each campaign. */
export function summarizeDay(polls: readonly PollFigures[], campaigns: Campaign[]): DaySummary {
  const sum = (pick: (p: PollFigures) => number, of: readonly PollFigures[] = polls) =>
    of.reduce((total, p) => total + pick(p), 0);
  return {
    polls: polls.length,
    calls: sum((p) => p.calls),
    fetched: sum((p) => p.fetched),
    events: sum((p) => p.events),
    deadLetters: sum((p) => p.deadLetters),
    cpuSeconds: sum((p) => p.cpuSeconds),
    peakRssMb: Math.max(0, ...polls.map((p) => p.peakRssMb)),
    afterCampaigns: campaigns.map(({ name, endsAt }) => {
      // Polls that start after the campaign is over and re-read it inside the look-back.
      const after = polls.filter((p) => p.at > endsAt && p.at <= endsAt + HOUR_MS);
      const n = Math.max(1, after.length);
      return {
        name,
        polls: after.length,
        callsPerPoll: sum((p) => p.calls, after) / n,
        fetchedPerPoll: sum((p) => p.fetched, after) / n,
        cpuSecondsPerPoll: median(after.map((p) => p.cpuSeconds)),
        peakRssMb: Math.max(0, ...after.map((p) => p.peakRssMb)),
      };
    }),
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The summary as the lines BENCHMARKS.md quotes. */
export function describeDay(summary: DaySummary): string {
  const lines = [
    `simulated day: ${summary.polls} polls, ${summary.calls} API calls, ${summary.fetched} records fetched, ` +
      `${summary.events} events, ${summary.deadLetters} dead letters, ${summary.cpuSeconds.toFixed(1)} CPU s, ` +
      `peak RSS ${summary.peakRssMb.toFixed(0)} MB`,
  ];
  for (const c of summary.afterCampaigns) {
    lines.push(
      `hour after ${c.name}: ${c.polls} polls, per poll ${c.callsPerPoll.toFixed(1)} calls, ` +
        `${Math.round(c.fetchedPerPoll)} records, ${c.cpuSecondsPerPoll.toFixed(2)} CPU s (median), ` +
        `peak RSS ${c.peakRssMb.toFixed(0)} MB`,
    );
  }
  return lines.join('\n');
}
