import {
  decodeDeadLetter,
  decodeEmailSent,
  type DeadLetter,
  type EmailSentEvent,
  type RawKafkaMessage,
} from '@app/contracts';

export type ReplayTopicKind = 'events' | 'dead-letters';

/** One message of the topic, decoded with the contracts lib, or why it could not be. */
export interface ReplayLine {
  partition: number;
  offset: string;
  key: string | null;
  event?: EmailSentEvent;
  deadLetter?: DeadLetter;
  error?: string;
}

export function decodeLine(
  kind: ReplayTopicKind,
  partition: number,
  offset: string,
  message: RawKafkaMessage,
): ReplayLine {
  const key = message.key == null ? null : message.key.toString();
  const base = { partition, offset, key };
  if (kind === 'events') {
    const decoded = decodeEmailSent(message);
    return decoded.ok ? { ...base, event: decoded.event } : { ...base, error: decoded.error };
  }
  const decoded = decodeDeadLetter(message);
  return decoded.ok
    ? { ...base, deadLetter: decoded.deadLetter }
    : { ...base, error: decoded.error };
}

/** JSON lines: `{partition, offset, event}` (or `deadLetter`), `{partition, offset, key, error}`. */
export function jsonLine(line: ReplayLine): string {
  const { partition, offset, key, event, deadLetter, error } = line;
  if (error !== undefined) return JSON.stringify({ partition, offset, key, error });
  return JSON.stringify(event ? { partition, offset, event } : { partition, offset, deadLetter });
}

/**
 * Event columns. The send time is the operation's wall clock, so its heading names the zone
 * (taken from the events themselves); `#` is the occurrence number, which tells identical
 * emails apart (their other columns are the same, their keys are not); OPERATION tells a
 * fleet's operations apart on their shared topic.
 */
function eventColumns(timeZone: string): Array<[string, number]> {
  const sent = `SENT (${timeZone})`;
  return [
    ['PARTITION:OFFSET', 16],
    [sent, Math.max(19, sent.length)],
    ['#', 3],
    ['OPERATION', 10],
    ['CHANNEL', 26],
    ['FROM', 28],
    ['TO', 28],
    ['SUBJECT', 40],
  ];
}
const DEAD_LETTER_COLUMNS: Array<[string, number]> = [
  ['PARTITION:OFFSET', 16],
  ['DETECTED AT', 24],
  ['REASON', 100],
];

/** The heading line: of dead letters, or of events in `timeZone`. */
export function tableHeader(kind: ReplayTopicKind, timeZone = ''): string {
  return row(kind === 'events' ? eventColumns(timeZone) : DEAD_LETTER_COLUMNS);
}

/**
 * The table's lines for one message: its row, after a heading when the table starts or the
 * events' zone changes (`shownZone` is the zone of the heading printed last, if any).
 */
export function tableLines(
  kind: ReplayTopicKind,
  line: ReplayLine,
  shownZone: string | undefined,
): { lines: string[]; zone: string | undefined } {
  const zone = kind === 'events' ? (line.event?.data.timeZone ?? shownZone) : '';
  const heading = zone !== undefined && zone !== shownZone ? [tableHeader(kind, zone)] : [];
  return { lines: [...heading, tableRow(kind, line)], zone: zone ?? shownZone };
}

export function tableRow(kind: ReplayTopicKind, line: ReplayLine): string {
  const position = `${line.partition}:${line.offset}`;
  if (line.error !== undefined)
    return row([
      [position, 16],
      [`undecodable: ${line.error}`, 120],
    ]);
  if (kind === 'events' && line.event) {
    const { data } = line.event;
    const cells = [
      position,
      data.sentAtLocal,
      String(data.occurrence),
      data.server,
      data.record.channel,
      data.record.from,
      data.recipients.join(', '),
      data.record.subject,
    ];
    const columns = eventColumns(data.timeZone);
    return row(cells.map((cell, i) => [cell, columns[i][1]]));
  }
  const letter = line.deadLetter!;
  const cells = [position, letter.detectedAt, letter.reason];
  return row(cells.map((cell, i) => [cell, DEAD_LETTER_COLUMNS[i][1]]));
}

/** Fixed-width cells; a value too long is cut with an ellipsis, new lines shown as spaces. */
function row(cells: Array<[string, number]>): string {
  return cells
    .map(([value, width], i) => {
      const flat = value.replace(/\s+/g, ' ');
      const cut = flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
      return i === cells.length - 1 ? cut : cut.padEnd(width);
    })
    .join('  ');
}

/** `0:12,1:40` -> { 0: '12', 1: '40' }; throws naming the bad part. */
export function parseOffsets(text: string): Record<number, string> {
  const offsets: Record<number, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(\d+):(\d+)$/.exec(part);
    if (!match) throw new Error(`--offset: "${part}" is not <partition>:<offset>`);
    const partition = Number(match[1]);
    if (partition in offsets) throw new Error(`--offset: partition ${partition} given twice`);
    offsets[partition] = match[2];
  }
  if (!Object.keys(offsets).length)
    throw new Error('--offset: give at least one <partition>:<offset>');
  return offsets;
}
