import { RecordFactory } from './data-generator.js';
import { storedRecord, type RecordStore } from './record-store.js';
import type { ZoneClock } from './zone-clock.js';

/** The demo's live mode: every second, `perSecond` new emails dated "now" in the zone. */
export class LiveTraffic {
  #timer: NodeJS.Timeout | undefined;
  #perSecond = 0;
  #sent = 0;
  readonly #factory: RecordFactory;

  constructor(
    seed: string,
    private readonly store: RecordStore,
    private readonly clock: ZoneClock,
  ) {
    this.#factory = new RecordFactory(`${seed}:live`);
  }

  get perSecond(): number {
    return this.#perSecond;
  }

  get sent(): number {
    return this.#sent;
  }

  /** 0 stops. Fractions work: 0.2 is one email every five seconds on average. */
  set(perSecond: number): void {
    this.stop();
    this.#perSecond = perSecond;
    if (perSecond <= 0) return;
    let owed = 0;
    this.#timer = setInterval(() => {
      owed += perSecond;
      const wall = this.clock.wallNow();
      const nowMs = this.clock.nowMs();
      const batch = [];
      for (; owed >= 1; owed -= 1) {
        // Numbers from 10^9 up never collide with those of the seeded data set.
        batch.push(
          storedRecord(this.#factory.make(wall, 1_000_000_000 + ++this.#sent), wall, nowMs),
        );
      }
      this.store.append(batch);
    }, 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#perSecond = 0;
  }
}
