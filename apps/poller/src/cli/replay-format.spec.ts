import {
  encodeDeadLetter,
  encodeEmailSent,
  toDeadLetter,
  toEmailSentEvent,
  type Cdr9Record,
} from '@app/contracts';
import {
  decodeLine,
  jsonLine,
  parseOffsets,
  tableHeader,
  tableLines,
  tableRow,
} from './replay-format.js';

const record: Cdr9Record = {
  channel: 'email-route-12',
  date: '2026-03-01 10:00:00',
  from: 'ops@x.co',
  to: 'a@x.co; b@x.co',
  subject: 'Your\nreceipt',
  body: '<p>hi</p>',
};
const operation = { server: '0010', timeZone: 'America/Bogota' };

function eventMessage(occurrence = 1) {
  const mapped = toEmailSentEvent(record, occurrence, operation);
  if (!mapped.ok) throw new Error(mapped.reason);
  return { mapped: mapped.event, message: encodeEmailSent(mapped.event) };
}

describe('replay output', () => {
  it('prints an event as one JSON line with where it sits, equal to what was published', () => {
    const { mapped, message } = eventMessage();
    const line = decodeLine('events', 2, '41', message);
    const printed = JSON.parse(jsonLine(line)) as {
      partition: number;
      offset: string;
      event: unknown;
    };
    expect(printed).toEqual({
      partition: 2,
      offset: '41',
      event: JSON.parse(JSON.stringify(mapped)),
    });
  });

  it('names the error of a message that is not an event instead of dropping it', () => {
    const line = decodeLine('events', 0, '7', { key: 'k', value: Buffer.from('{}'), headers: {} });
    expect(line.error).toContain('content-type');
    expect(JSON.parse(jsonLine(line))).toMatchObject({ partition: 0, offset: '7', key: 'k' });
    expect(tableRow('events', line)).toMatch(/^0:7\s+undecodable: /);
  });

  it('tells identical emails apart by occurrence, under a heading that names the zone once', () => {
    const first = tableLines(
      'events',
      decodeLine('events', 0, '1', eventMessage(1).message),
      undefined,
    );
    const second = tableLines(
      'events',
      decodeLine('events', 0, '2', eventMessage(2).message),
      first.zone,
    );
    expect(first.zone).toBe('America/Bogota');
    expect(first.lines).toHaveLength(2);
    expect(first.lines[0]).toContain('SENT (America/Bogota)');
    expect(second.lines).toHaveLength(1);
    const [one, two] = [first.lines[1], second.lines[0]].map((l) => l.replace(/^0:\d+\s+/, ''));
    expect(one).not.toBe(two);
    expect(one).toMatch(/^2026-03-01 10:00:00\s+1\s+0010\s+email-route-12/);
    expect(two).toMatch(/^2026-03-01 10:00:00\s+2\s+0010\s+email-route-12/);
    // The heading's columns line up with the rows'.
    expect(first.lines[0].indexOf('#')).toBe(first.lines[1].indexOf('  1  ') + 2);
  });

  it('lays events and dead letters out as a table, one line each', () => {
    const { message } = eventMessage();
    const eventRow = tableRow('events', decodeLine('events', 1, '3', message));
    expect(tableHeader('events', 'America/Bogota')).toMatch(
      /^PARTITION:OFFSET\s+SENT \(America\/Bogota\)\s+#\s+OPERATION\s+CHANNEL/,
    );
    expect(eventRow).toMatch(
      /^1:3\s+2026-03-01 10:00:00\s+1\s+0010\s+email-route-12\s+ops@x\.co\s+a@x\.co, b@x\.co\s+Your receipt$/,
    );
    const letter = encodeDeadLetter(
      toDeadLetter({ raw: { date: 'x' }, reason: 'date: bad' }, '0010', new Date(0)),
    );
    expect(tableRow('dead-letters', decodeLine('dead-letters', 0, '0', letter))).toMatch(
      /^0:0\s+1970-01-01T00:00:00.000Z\s+date: bad$/,
    );
  });

  it('parses --offset lists and rejects what is not one', () => {
    expect(parseOffsets('0:12, 2:0')).toEqual({ 0: '12', 2: '0' });
    expect(() => parseOffsets('0:1,0:2')).toThrow('given twice');
    expect(() => parseOffsets('a:1')).toThrow('"a:1"');
    expect(() => parseOffsets('')).toThrow('at least one');
  });
});
