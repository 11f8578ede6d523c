import type { CycleOutcome } from '../cycle/cycle-outcome.js';
import { NOT_FOUND_WARN_SECONDS, nextStreak } from './not-found-streak.js';

const DAY = 86_400;

function published(from: number, days: number, notFound: boolean): CycleOutcome {
  return {
    kind: 'published',
    window: { from, to: from + days * DAY - 1 },
    fetched: notFound ? 0 : 5,
    events: notFound ? 0 : 5,
    deadLetters: 0,
    duplicates: 0,
    oversize: 0,
    outOfWindow: 0,
    overflowingSecond: false,
    lagSeconds: 0,
    notFound,
  };
}

describe('nextStreak', () => {
  it('grows over consecutive 404 windows and says once when it reaches a week', () => {
    let streak = nextStreak(undefined, published(0, 3, true));
    expect(streak).toEqual({ streak: { from: 0, to: 3 * DAY - 1 }, reachedThreshold: false });
    streak = nextStreak(streak.streak, published(3 * DAY, 4, true));
    expect(streak.reachedThreshold).toBe(true);
    expect(streak.streak!.to - streak.streak!.from + 1).toBe(NOT_FOUND_WARN_SECONDS);
    // Failures in between neither end nor grow it.
    const failed: CycleOutcome = { kind: 'caught-up', lagSeconds: 0 };
    expect(nextStreak(streak.streak, failed).streak).toBe(streak.streak);
    expect(nextStreak(streak.streak, published(7 * DAY, 1, true)).reachedThreshold).toBe(false);
  });

  it('ends with the first window that held records', () => {
    const { streak } = nextStreak(undefined, published(0, 10, true));
    expect(nextStreak(streak, published(10 * DAY, 1, false))).toEqual({
      streak: undefined,
      reachedThreshold: false,
    });
  });
});
