import { formatWallTime, parseWallTime, validateCdr9Record } from '@app/contracts';
import { generateRecords, type GenerationSettings } from './data-generator.js';
import { ZoneClock } from './zone-clock.js';

const clock = new ZoneClock('America/Bogota');
const from = parseWallTime('2026-03-01 00:00:00')!;
const settings: GenerationSettings = {
  from,
  to: from + 86_400 - 1,
  emailsPerHour: 2_000,
  bursts: [{ at: from + 10 * 3600, count: 61_000, seconds: 3600 }],
  duplicateRate: 0.01,
  lateRate: 0.02,
  lateMaxSeconds: 600,
  invalidRate: 0.01,
  largeBodyRate: 0.001,
  largeBodyBytes: 100_000,
};

describe('generateRecords', () => {
  const records = generateRecords(settings, 'spec', clock);

  it('is reproducible from the seed', () => {
    const small = {
      ...settings,
      emailsPerHour: 200,
      bursts: [{ at: from, count: 500, seconds: 60 }],
    };
    const first = generateRecords(small, 'spec', clock);
    expect(generateRecords(small, 'spec', clock)).toEqual(first);
    expect(generateRecords(small, 'other', clock).slice(0, 50)).not.toEqual(first.slice(0, 50));
  });

  it('places the steady rate and the burst, in date order, with local dates', () => {
    const generated = 48_000 + 61_000;
    const duplicates = records.length - generated;
    expect(duplicates).toBeGreaterThan(generated * 0.005);
    expect(duplicates).toBeLessThan(generated * 0.015);
    for (let i = 1; i < records.length; i++)
      expect(records[i].wall >= records[i - 1].wall).toBe(true);
    const burstHour = records.filter(
      (r) => r.wall >= from + 10 * 3600 && r.wall < from + 11 * 3600,
    );
    expect(burstHour.length).toBeGreaterThan(60_000);
    const valid = records.find((r) => r.valid)!;
    expect(valid.record.date).toBe(formatWallTime(valid.wall));
  });

  it('makes a share of invalid records that the contracts reject', () => {
    const invalid = records.filter((r) => !r.valid);
    expect(invalid.length).toBeGreaterThan(records.length * 0.005);
    expect(invalid.length).toBeLessThan(records.length * 0.015);
    expect(invalid.every((r) => !validateCdr9Record(r.record).ok)).toBe(true);
    const reasons = new Set(
      invalid.map((r) => (validateCdr9Record(r.record) as { reason: string }).reason.split(':')[0]),
    );
    expect(reasons.has('date')).toBe(true);
    expect(reasons.size).toBeGreaterThan(2);
  });

  it('breaks records in every kind: dates unusable or of the wrong type, fields missing or not strings', () => {
    const invalid = records.filter((r) => !r.valid).map((r) => r.record);
    const date = (r: Readonly<Record<string, unknown>>) => r.date;
    expect(invalid.some((r) => /^\d{4}-02-30 /.test(String(date(r))))).toBe(true);
    expect(invalid.some((r) => /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(String(date(r))))).toBe(
      true,
    );
    expect(invalid.some((r) => typeof date(r) === 'number')).toBe(true);
    expect(invalid.some((r) => Object.values(r).includes(null))).toBe(true);
    expect(invalid.some((r) => typeof r.to === 'number')).toBe(true);
    expect(invalid.some((r) => Object.keys(r).length < 6)).toBe(true);
  });

  it('reports a share of invalid records twice, identical, only when asked to', () => {
    // Copies that follow their record, as a share of the distinct invalid records.
    const twiceShare = (list: ReturnType<typeof generateRecords>) => {
      const copies = list.filter((r, i) => !r.valid && i > 0 && list[i - 1] === r).length;
      return copies / (list.filter((r) => !r.valid).length - copies);
    };
    const small = { ...settings, bursts: [], emailsPerHour: 100, invalidRate: 0.2 };
    expect(twiceShare(generateRecords(small, 'spec', clock))).toBeLessThan(0.05);
    const doubled = generateRecords({ ...small, invalidDuplicateRate: 0.5 }, 'spec', clock);
    expect(twiceShare(doubled)).toBeGreaterThan(0.4);
    expect(twiceShare(doubled)).toBeLessThan(0.62);
  });

  it('makes late records visible after their date, the others at it', () => {
    const late = records.filter((r) => r.visibleAt > clock.instantMs(r.wall));
    expect(late.length).toBeGreaterThan(records.length * 0.01);
    for (const r of late)
      expect(r.visibleAt - clock.instantMs(r.wall)).toBeLessThanOrEqual(600_000);
    const onTime = records.find((r) => r.visibleAt === clock.instantMs(r.wall))!;
    // Bogota is UTC-5 all year.
    expect(onTime.visibleAt).toBe((onTime.wall + 5 * 3600) * 1000);
  });

  it('includes identical duplicates, unicode, HTML and large bodies', () => {
    const duplicated = records.some((r, i) => i > 0 && records[i - 1] === r);
    expect(duplicated).toBe(true);
    const bodies = records.map((r) => String(r.record.body));
    expect(bodies.some((b) => b.includes('<html>'))).toBe(true);
    expect(bodies.some((b) => /\p{Extended_Pictographic}/u.test(b))).toBe(true);
    expect(bodies.some((b) => b.length >= 100_000)).toBe(true);
  });
});
