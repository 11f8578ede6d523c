import { instantOf, wallTimeOf, type WallSeconds } from '@app/contracts';

/**
 * The simulated operation's clock: real instants on one side, its local wall time on the other.
 * Generating 150,000 records asks for as many instants; the zone's offset is cached per hour
 * (offsets change on whole hours in every zone the simulator is meant for).
 */
export class ZoneClock {
  readonly #offsetByHour = new Map<number, number>();

  constructor(
    readonly timeZone: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  nowMs(): number {
    return this.now().getTime();
  }

  /** The wall time the operation's clock shows now. */
  wallNow(): WallSeconds {
    return wallTimeOf(this.now(), this.timeZone);
  }

  /**
   * The real instant (ms since the epoch) a wall time names. A wall time that a daylight saving
   * gap skips gets the instant of the same time an hour later minus an hour: the moment the
   * clock jumped over it.
   */
  instantMs(wall: WallSeconds): number {
    const hour = wall - (((wall % 3600) + 3600) % 3600);
    let offset = this.#offsetByHour.get(hour);
    if (offset === undefined) {
      const start = instantOf(hour, this.timeZone);
      const end = instantOf(hour + 3599, this.timeZone);
      const startOffset = start ? hour - start.instant.getTime() / 1000 : NaN;
      const endOffset = end ? hour + 3599 - end.instant.getTime() / 1000 : NaN;
      if (startOffset !== endOffset) return this.#uncached(wall);
      offset = startOffset;
      this.#offsetByHour.set(hour, offset);
    }
    return (wall - offset) * 1000;
  }

  #uncached(wall: WallSeconds): number {
    const exact = instantOf(wall, this.timeZone);
    if (exact) return exact.instant.getTime();
    const later = instantOf(wall + 3600, this.timeZone)!;
    return later.instant.getTime() - 3_600_000;
  }
}
