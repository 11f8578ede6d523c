import type { WallSeconds } from '@app/contracts';
import type { CycleOutcome } from '../cycle/cycle-outcome.js';

/**
 * Dates covered by an unbroken run of windows that all answered 404 "Validate dates entered".
 * That is how the API says "no records here", and also what a server without report cdr_9
 * answers (docs/CONTRACT.md section 2): a 404 that never ends is worth a warning.
 */
export interface NotFoundStreak {
  from: WallSeconds;
  to: WallSeconds;
}

/** A week of dates without a single email: longer than any quiet spell of a live operation. */
export const NOT_FOUND_WARN_SECONDS = 7 * 86_400;

export function streakSeconds(streak: NotFoundStreak | undefined): number {
  return streak ? streak.to - streak.from + 1 : 0;
}

/**
 * The streak after a cycle, and whether it just reached the warning threshold. Only published
 * windows count: a 404 extends the streak, any window with records (or a 200) ends it; other
 * outcomes leave it as it was.
 */
export function nextStreak(
  streak: NotFoundStreak | undefined,
  outcome: CycleOutcome,
): { streak: NotFoundStreak | undefined; reachedThreshold: boolean } {
  if (outcome.kind !== 'published') return { streak, reachedThreshold: false };
  if (!outcome.notFound) return { streak: undefined, reachedThreshold: false };
  const next = { from: streak?.from ?? outcome.window.from, to: outcome.window.to };
  return {
    streak: next,
    reachedThreshold:
      streakSeconds(streak) < NOT_FOUND_WARN_SECONDS &&
      streakSeconds(next) >= NOT_FOUND_WARN_SECONDS,
  };
}
