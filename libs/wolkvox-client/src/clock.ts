import { setTimeout as delay } from 'node:timers/promises';

/** Where the client reads "now" (the local day of the request budget, `resetsAt`). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with its own AbortError; callers expect their signal's reason.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
};
