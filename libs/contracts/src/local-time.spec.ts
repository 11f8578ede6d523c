import {
  exactInstantOf,
  formatQueryTime,
  formatRfc3339,
  formatWallTime,
  instantOf,
  isValidTimeZone,
  localDayOf,
  parseQueryTime,
  parseWallTime,
  startOfNextLocalDay,
  wallTimeOf,
} from './local-time.js';

describe('local wall time', () => {
  it('round-trips record dates and query times', () => {
    const wall = parseWallTime('2026-03-01 08:15:42')!;
    expect(formatWallTime(wall)).toBe('2026-03-01 08:15:42');
    expect(formatQueryTime(wall)).toBe('20260301081542');
    expect(parseQueryTime('20260301081542')).toBe(wall);
    expect(localDayOf(wall)).toBe('2026-03-01');
    expect(formatWallTime(startOfNextLocalDay(wall))).toBe('2026-03-02 00:00:00');
  });

  it.each([
    '2026-02-30 10:00:00',
    '2026-13-01 10:00:00',
    '2026-04-31 00:00:00',
    '2026-01-01 24:00:00',
    '2026-01-01 10:60:00',
    '2026-01-01T10:00:00',
    '2026-1-01 10:00:00',
    ' 2026-01-01 10:00:00',
    '',
  ])('rejects %p instead of shifting it', (text) => {
    expect(parseWallTime(text)).toBeNull();
  });

  it('accepts a leap day only in leap years', () => {
    expect(parseWallTime('2028-02-29 00:00:00')).not.toBeNull();
    expect(parseWallTime('2026-02-29 00:00:00')).toBeNull();
  });

  it('maps Bogota wall time to instants at -05:00', () => {
    const zoned = instantOf(parseWallTime('2026-03-01 08:15:00')!, 'America/Bogota')!;
    expect(zoned.instant.toISOString()).toBe('2026-03-01T13:15:00.000Z');
    expect(formatRfc3339(zoned)).toBe('2026-03-01T08:15:00-05:00');
    expect(wallTimeOf(zoned.instant, 'America/Bogota')).toBe(parseWallTime('2026-03-01 08:15:00'));
  });

  it('names no instant for a wall time skipped by daylight saving, the earlier for a repeated one', () => {
    // New York skipped 02:00-02:59 on 2026-03-08 and showed 01:00-01:59 twice on 2026-11-01.
    expect(instantOf(parseWallTime('2026-03-08 02:30:00')!, 'America/New_York')).toBeNull();
    const repeated = instantOf(parseWallTime('2026-11-01 01:30:00')!, 'America/New_York')!;
    expect(formatRfc3339(repeated)).toBe('2026-11-01T01:30:00-04:00');
  });

  it('answers from its quarter-hour cache exactly as Intl does, around DST changes too', () => {
    for (const zone of [
      'America/Bogota',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
    ]) {
      for (const day of ['2026-03-08', '2026-11-01', '2026-04-05', '2026-10-04']) {
        const start = parseWallTime(`${day} 00:00:00`)!;
        for (let wall = start; wall < start + 86_400; wall += 397) {
          expect(instantOf(wall, zone)).toEqual(exactInstantOf(wall, zone));
        }
      }
    }
  });

  it('writes Z for UTC', () => {
    expect(formatRfc3339(instantOf(parseWallTime('2026-01-01 00:00:00')!, 'UTC')!)).toBe(
      '2026-01-01T00:00:00Z',
    );
  });

  it('knows real zones from made-up ones', () => {
    expect(isValidTimeZone('America/Bogota')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
