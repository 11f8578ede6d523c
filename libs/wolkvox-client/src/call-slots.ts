import type { Clock, Sleep } from './clock.js';
import { Semaphore, type Release } from './semaphore.js';

/**
 * The token's simultaneous requests, as the server counts them: a slot per call in flight, and
 * a call the client gave up on (a timeout, a broken connection, the caller stopping) keeps its
 * slot until `abandonedCallMs` after it was sent, since the server may still be running it.
 * Without that, the retry of a timed-out call would be the server's second call at once, and
 * the poller itself would cause "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN".
 */
export class CallSlots {
  readonly #semaphore: Semaphore;
  /** Aborted by close(): slots still held for calls given up on are freed then. */
  readonly #closed = new AbortController();

  constructor(
    capacity: number,
    private readonly abandonedCallMs: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {
    this.#semaphore = new Semaphore(capacity);
  }

  get capacity(): number {
    return this.#semaphore.capacity;
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    return this.#semaphore.acquire(signal);
  }

  /** Frees the slot of a call sent at `sentAtMs` that the client gave up on, once its grace ends. */
  releaseAbandoned(release: Release, sentAtMs: number): void {
    this.#releaseAt(release, sentAtMs + this.abandonedCallMs);
  }

  /**
   * Counts every slot as taken until `untilMs` (epoch ms): a previous process of this
   * operation may have left calls running on the server when it was killed.
   */
  takeAllUntil(untilMs: number): void {
    if (untilMs <= this.clock.now().getTime()) return;
    for (let i = 0; i < this.capacity; i++) {
      void this.#semaphore.acquire().then((release) => this.#releaseAt(release, untilMs));
    }
  }

  close(): void {
    this.#closed.abort();
  }

  /** Frees a slot at `untilMs` (at once if that is past, or once closed). */
  #releaseAt(release: Release, untilMs: number): void {
    const wait = untilMs - this.clock.now().getTime();
    if (wait <= 0 || this.#closed.signal.aborted) return release();
    this.sleep(wait, this.#closed.signal).then(release, release);
  }
}
