import { instantOf, parseWallTime } from '@app/contracts';
import { ZoneClock } from './zone-clock.js';

describe('ZoneClock', () => {
  it('agrees with instantOf across a year of New York hours, gaps aside', () => {
    const clock = new ZoneClock('America/New_York');
    const start = parseWallTime('2026-01-01 00:00:00')!;
    for (let wall = start; wall < start + 365 * 86_400; wall += 3_599) {
      const exact = instantOf(wall, 'America/New_York');
      if (exact) expect(clock.instantMs(wall)).toBe(exact.instant.getTime());
    }
  });

  it('places a wall time skipped by daylight saving at the jump', () => {
    const clock = new ZoneClock('America/New_York');
    // 02:30 does not exist on 2026-03-08; the clock went from 01:59:59 EST to 03:00:00 EDT.
    expect(new Date(clock.instantMs(parseWallTime('2026-03-08 02:30:00')!)).toISOString()).toBe(
      '2026-03-08T06:30:00.000Z',
    );
  });

  it('shows the wall time of its now', () => {
    const clock = new ZoneClock('America/Bogota', () => new Date('2026-03-01T15:00:00Z'));
    expect(clock.wallNow()).toBe(parseWallTime('2026-03-01 10:00:00'));
  });
});
