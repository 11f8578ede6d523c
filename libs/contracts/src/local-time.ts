/**
 * Wolkvox speaks the operation's local wall-clock time with no offset: in the query
 * (`date_ini`, `date_end` as `YYYYmmddHHiiss`) and in each record's `date`
 * (`YYYY-MM-DD HH:MM:SS`). Window arithmetic therefore happens in *wall seconds*: whole seconds
 * counted from 1970-01-01 00:00:00 on the operation's wall clock, as if that clock were UTC.
 * That makes "the next second", "31 days" and "never cut a second in two" plain integer
 * arithmetic. Only the event's `time` needs a real instant, and `instantOf` makes it with the
 * zone's offset at that moment.
 */

/** Whole seconds on the operation's wall clock since 1970-01-01 00:00:00 (wall time). */
export type WallSeconds = number;

export const SECONDS_PER_DAY = 86_400;

const RECORD_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const QUERY_DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Parses a record `date` (`YYYY-MM-DD HH:MM:SS`); null unless it is a real calendar time. */
export function parseWallTime(text: string): WallSeconds | null {
  return fromParts(RECORD_DATE.exec(text));
}

/** Parses a query time (`YYYYmmddHHiiss`); null unless it is a real calendar time. */
export function parseQueryTime(text: string): WallSeconds | null {
  return fromParts(QUERY_DATE.exec(text));
}

function fromParts(match: RegExpExecArray | null): WallSeconds | null {
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over to March 2nd: reject instead of shifting silently.
  if (new Date(ms).getUTCDate() !== d) return null;
  return ms / 1000;
}

/** `YYYY-MM-DD HH:MM:SS`, the format of a record's `date`. */
export function formatWallTime(wall: WallSeconds): string {
  return new Date(wall * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYYmmddHHiiss`, the format of `date_ini` and `date_end`. */
export function formatQueryTime(wall: WallSeconds): string {
  return new Date(wall * 1000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** The local calendar day (`YYYY-MM-DD`) a wall time falls on. */
export function localDayOf(wall: WallSeconds): string {
  return formatWallTime(wall).slice(0, 10);
}

/** Wall seconds at the start of the local day after the one `wall` falls on. */
export function startOfNextLocalDay(wall: WallSeconds): WallSeconds {
  return (Math.floor(wall / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY;
}

/** True when the runtime knows the IANA zone (e.g. `America/Bogota`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall time that the operation's clock shows at a real instant (sub-seconds dropped). */
export function wallTimeOf(instant: Date, timeZone: string): WallSeconds {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return (
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) / 1000
  );
}

/** Offset of the zone from UTC at a real instant, in whole seconds (Bogota: -18000). */
export function offsetSecondsAt(instant: Date, timeZone: string): number {
  const whole = new Date(Math.floor(instant.getTime() / 1000) * 1000);
  return wallTimeOf(whole, timeZone) - whole.getTime() / 1000;
}

export interface ZonedInstant {
  /** The real instant. */
  instant: Date;
  /** The zone's offset at that instant, in seconds east of UTC. */
  offsetSeconds: number;
}

/**
 * The real instant a wall time names in a zone. A wall time that the zone skips (a daylight
 * saving gap) names no instant: null. One the zone shows twice (the hour after a gap closes)
 * resolves to the earlier instant.
 *
 * Asking Intl is slow (several formatToParts per call), and a poller maps 60,000 records per
 * window. Every zone changes its offset only at whole quarter hours, so the answer is computed
 * once per quarter hour of wall time: when its first and last second name instants with the same
 * offset, every second between does too; quarters that hold a change are computed per call.
 */
export function instantOf(wall: WallSeconds, timeZone: string): ZonedInstant | null {
  const quarter = Math.floor(wall / QUARTER_HOUR);
  const key = `${timeZone}\u0000${quarter}`;
  let offset = quarterOffsets.get(key);
  if (offset === undefined) {
    const first = exactInstantOf(quarter * QUARTER_HOUR, timeZone);
    const last = exactInstantOf(quarter * QUARTER_HOUR + QUARTER_HOUR - 1, timeZone);
    offset =
      first && last && first.offsetSeconds === last.offsetSeconds ? first.offsetSeconds : null;
    if (quarterOffsets.size >= MAX_CACHED_QUARTERS) quarterOffsets.clear();
    quarterOffsets.set(key, offset);
  }
  if (offset === null) return exactInstantOf(wall, timeZone);
  return { instant: new Date((wall - offset) * 1000), offsetSeconds: offset };
}

const QUARTER_HOUR = 900;
/** About 100 days of one zone: enough for a 31-day window, bounded for a long-running process. */
const MAX_CACHED_QUARTERS = 10_000;
const quarterOffsets = new Map<string, number | null>();

/** `instantOf` without the cache: asks Intl for the offsets around `wall`. */
export function exactInstantOf(wall: WallSeconds, timeZone: string): ZonedInstant | null {
  // Try the offsets in force a day either side; one of them maps back to `wall` unless the
  // wall time falls in a gap.
  const guesses = new Set<number>();
  for (const probe of [wall - SECONDS_PER_DAY, wall, wall + SECONDS_PER_DAY]) {
    guesses.add(offsetSecondsAt(new Date(probe * 1000), timeZone));
  }
  const candidates = [...guesses]
    .map((offset) => wall - offset)
    .filter((utc) => wallTimeOf(new Date(utc * 1000), timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length === 0) return null;
  const instant = new Date(candidates[0] * 1000);
  return { instant, offsetSeconds: offsetSecondsAt(instant, timeZone) };
}

/** RFC 3339 with the zone's offset at that moment, e.g. `2026-03-01T08:15:00-05:00`. */
export function formatRfc3339(zoned: ZonedInstant): string {
  const { instant, offsetSeconds } = zoned;
  const local = new Date(instant.getTime() + offsetSeconds * 1000).toISOString().slice(0, 19);
  if (offsetSeconds === 0) return `${local}Z`;
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
