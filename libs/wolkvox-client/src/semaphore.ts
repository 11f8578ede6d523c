/** Releases a slot; calling it more than once has no further effect. */
export type Release = () => void;

/**
 * At most `capacity` holders at once, served first come first served. Used to keep the number
 * of calls in flight for one token within what Wolkvox allows.
 */
export class Semaphore {
  #available: number;
  readonly #waiting: Array<(release: Release) => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.#available = capacity;
  }

  /** Holders right now. */
  get inUse(): number {
    return this.capacity - this.#available;
  }

  /** Resolves with a release once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#available > 0) {
      this.#available -= 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const grant = (release: Release): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // Hand the slot straight to the next waiter so no newcomer can overtake it.
      if (next) next(this.#releaser());
      else this.#available += 1;
    };
  }
}
