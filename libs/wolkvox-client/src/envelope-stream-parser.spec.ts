import {
  EnvelopeStreamParser,
  EnvelopeSyntaxError,
  type ParsedEnvelope,
} from './envelope-stream-parser.js';

/** Feeds `body` in chunks cut at `cuts` (byte offsets) and returns what the parser saw. */
function parse(
  body: string | Buffer,
  cuts: number[] = [],
): { envelope: ParsedEnvelope; elements: unknown[] } {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const elements: unknown[] = [];
  const parser = new EnvelopeStreamParser((value) => elements.push(value));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.write(bytes.subarray(from, cut));
    from = cut;
  }
  return { envelope: parser.end(), elements };
}

const records = [
  {
    channel: 'email-route-1',
    date: '2026-03-01 10:00:00',
    body: '<p class="x">a "quoted" {brace} [bracket], back\\slash</p>',
  },
  { channel: 'campaign-2', date: '2026-03-01 10:00:01', body: 'ñandú 🎉 中文 \u2028 \n end' },
  { nested: { deep: [1, { x: '}' }] }, n: -1.5e3, t: true, f: false, z: null },
];
const envelope = { code: 200, error: null, msg: '3 records were found', data: records };
const text = JSON.stringify(envelope, null, 1);

describe('EnvelopeStreamParser', () => {
  it('hands over each element of data and keeps the other members', () => {
    const { envelope: parsed, elements } = parse(text);
    expect(elements).toEqual(records);
    expect(parsed).toEqual({
      members: { code: 200, error: null, msg: '3 records were found' },
      dataShape: 'array',
      elements: 3,
    });
  });

  it('gives the same result wherever the chunks are cut, even inside a UTF-8 character', () => {
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parse(bytes, [cut]).elements).toEqual(records);
    }
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(parse(bytes, everyByte).elements).toEqual(records);
  });

  it('accepts data as a single object, and members in any order', () => {
    const { envelope: parsed, elements } = parse(
      '{"data":{"channel":"c","date":"d"},"msg":"1 records were found","code":"200"}',
    );
    expect(elements).toEqual([{ channel: 'c', date: 'd' }]);
    expect(parsed.dataShape).toBe('object');
    expect(parsed.members.code).toBe('200');
  });

  it('tells an empty array, a null and an absent data apart', () => {
    expect(parse('{"code":200,"data":[]}').envelope).toMatchObject({
      dataShape: 'array',
      elements: 0,
    });
    expect(parse('{"code":200,"data":null}').envelope).toMatchObject({
      dataShape: 'other',
      otherData: null,
      elements: 0,
    });
    expect(
      parse('{"code":404,"error":"NOT FOUND","msg":"Validate dates entered"}').envelope,
    ).toMatchObject({
      dataShape: 'absent',
      members: { code: 404, msg: 'Validate dates entered' },
    });
    expect(parse(' {} ').envelope.dataShape).toBe('absent');
  });

  it('skips a UTF-8 byte order mark', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"code":200,"data":[1]}'),
    ]);
    expect(parse(body).elements).toEqual([1]);
  });

  it.each([
    ['an empty body', ''],
    ['a truncated body', text.slice(0, text.length - 10)],
    ['a body cut inside the last element', '{"code":200,"data":[{"a":"b"},{"a":'],
    ['a trailing primitive with no close', '{"code":200'],
    ['an HTML page', '<html><body>Service Unavailable</body></html>'],
    ['an array at the root', '[{"a":1}]'],
    ['a missing comma between members', '{"code":200 "data":[]}'],
    ['a missing comma between elements', '{"data":[{"a":1} {"a":2}]}'],
    ['a trailing comma in data', '{"data":[{"a":1},]}'],
    ['an element that is not JSON', '{"data":[{"a":tru}]}'],
    ['text after the envelope', '{"data":[]} x'],
    ['data twice', '{"data":[],"data":[]}'],
  ])('rejects %s', (_name, body) => {
    expect(() => parse(body)).toThrow(EnvelopeSyntaxError);
  });
});
