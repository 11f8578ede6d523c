import { parseWallTime } from '@app/contracts';
import { optionsFromEnv } from './simulator-env.js';

describe('optionsFromEnv', () => {
  const now = new Date('2026-03-01T15:00:00Z');

  it('defaults to the 24 hours before start, in the zone, at 60 emails an hour', () => {
    const options = optionsFromEnv({}, now);
    expect(options).toMatchObject({
      port: 8089,
      token: 'dev-token',
      timeZone: 'America/Bogota',
      order: 'oldest',
      bounds: 'inclusive',
      truncationLimit: 60_000,
      maxConcurrency: 2,
      dailyQuota: undefined,
      generation: {
        from: parseWallTime('2026-02-28 10:00:01'),
        to: parseWallTime('2026-03-01 10:00:00'),
        emailsPerHour: 60,
      },
    });
  });

  it('reads bursts, rates and faults', () => {
    const options = optionsFromEnv(
      {
        SIM_BURSTS: '2026-03-01 10:00:00=65000, 2026-03-01 12:00:00=10/60',
        SIM_EMAILS_PER_HOUR: '0',
        SIM_DAILY_QUOTA: '1000',
        SIM_ERROR_RATE: '0.1',
        SIM_TIMEOUT_RATE: '0.05',
        SIM_ORDER: 'sorted',
        SIM_BOUNDS: 'end-exclusive',
      },
      now,
    );
    expect(options.generation?.bursts).toEqual([
      { at: parseWallTime('2026-03-01 10:00:00'), count: 65_000, seconds: 3600 },
      { at: parseWallTime('2026-03-01 12:00:00'), count: 10, seconds: 60 },
    ]);
    expect(options).toMatchObject({
      dailyQuota: 1000,
      order: 'oldest',
      bounds: 'end-exclusive',
      faults: { serverErrorRate: 0.1, hangRate: 0.05 },
    });
  });

  it('starts empty when told to generate nothing', () => {
    expect(optionsFromEnv({ SIM_EMAILS_PER_HOUR: '0' }, now).generation).toBeUndefined();
  });

  it('names every bad variable', () => {
    expect(() =>
      optionsFromEnv(
        {
          SIM_ORDER: 'random',
          SIM_ERROR_RATE: '2',
          SIM_TIMEZONE: 'Mars/Base',
          SIM_BURSTS: 'soon=1',
        },
        now,
      ),
    ).toThrow(/SIM_TIMEZONE[\s\S]*SIM_ORDER[\s\S]*SIM_BURSTS[\s\S]*SIM_ERROR_RATE/);
  });
});
