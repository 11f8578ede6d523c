import type { WallSeconds } from '@app/contracts';
import type { WallWindow } from '@app/wolkvox-client';
import type { Progress, SweepState } from '../ports/checkpoint-store.port.js';
import { resumableSweep } from './progress.js';
import {
  capByKnownRecords,
  densityOf,
  planWindow,
  type KnownRecords,
  type SplitDecision,
  type WindowLimits,
} from './window-planner.js';

/**
 * The sweep in progress, between one cycle and the next: which window comes next, and what the
 * windows read so far have taught. Decisions are the planner's (window-planner.ts); this only
 * keeps their state, so the cycle reads as steps.
 *
 * A sweep starts at `settledBefore` (re-reading the look-back) and ends where the present stood
 * when it started: under steady traffic a moving end would never be reached, the look-back never
 * re-read, and `settledBefore` never move.
 */
export class Sweep {
  /** Where the sweep has read up to, and where it ends; `records`: valid records its windows held. */
  private current: Omit<SweepState, 'density' | 'retry'> | undefined;
  /**
   * A smaller piece of a window that came back cut, and how often this range was cut; or the
   * same window, to be read again held whole (`whole`).
   */
  private retry: SweepState['retry'];
  /**
   * Records per second of everything the current sweep has read (the last sweep's, until the
   * first window of a sweep is read): what the next window is sized by. The density of the whole
   * sweep rather than of the last window, because a burst in the last window would size the
   * steady traffic after it short; replayed on a 31-day backfill this saved a call in 8, and on
   * two of three other traffic shapes (BENCHMARKS.md, "(c) Calls").
   */
  private learntDensity: number | undefined;
  /** The records the last cut response showed of its window (capByKnownRecords). */
  private known: KnownRecords | undefined;

  constructor(private readonly limits: WindowLimits) {}

  /**
   * Takes up the sweep the checkpoint saved. A sweep cut short in the middle of a split continues
   * with its pending piece, its end moved up to `present` (a restart reads up to now); any other
   * starts anew from the settled position, re-reading the look-back as a restart should. Either
   * way windows are sized by the density learnt before the restart.
   */
  resume(progress: Progress, saved: SweepState | undefined, present: WallSeconds): void {
    const resumed = resumableSweep(progress, saved);
    this.current = resumed && {
      start: resumed.start,
      position: resumed.position,
      end: Math.max(resumed.end, present),
      records: resumed.records,
    };
    this.retry = resumed?.retry;
    if (saved?.density !== undefined) this.learntDensity = saved.density;
  }

  /**
   * The window to read next: a retry piece, or the next window of the sweep (a new sweep from
   * `settledBefore` to `present` when none is in progress). Undefined once the sweep reached its
   * end; the next call starts a new one.
   */
  next(settledBefore: WallSeconds, present: WallSeconds): WallWindow | undefined {
    this.current ??= { start: settledBefore, position: settledBefore, end: present, records: 0 };
    if (this.retry) return this.retry.window;
    const planned = planWindow(
      this.current.position,
      this.current.end,
      this.learntDensity,
      this.limits,
    );
    if (planned) return capByKnownRecords(planned, this.known, this.limits);
    this.current = undefined;
    return undefined;
  }

  /** Records per second the next window is sized by, once learnt. */
  get density(): number | undefined {
    return this.learntDensity;
  }

  /** The window is to be read held whole (its identical records differ outside the six fields). */
  get readWhole(): boolean {
    return this.retry?.whole === true;
  }

  /** How often the range being read was cut so far. */
  get splits(): number {
    return this.retry?.splits ?? 0;
  }

  /** A cut response: what it showed of `window` sizes the windows planned inside it. */
  cut(window: WallWindow, walls: readonly WallSeconds[]): void {
    this.known = {
      window,
      walls: walls.filter((wall) => wall >= window.from && wall <= window.to).sort((a, b) => a - b),
    };
  }

  /** Read the piece the split chose next. */
  split(decision: Extract<SplitDecision, { kind: 'retry' }>): void {
    this.retry = { window: decision.window, splits: this.splits + 1 };
  }

  /** Read the same window again, held whole. */
  again(window: WallWindow): void {
    this.retry = { window, splits: this.splits, whole: true };
  }

  /** The sweep once `window`, holding `records` valid ones, is published: for its checkpoint. */
  after(window: WallWindow, records: number): SweepState {
    const current = this.current!;
    const next = { ...current, position: window.to + 1, records: current.records + records };
    return { ...next, density: densityOf({ from: next.start, to: window.to }, next.records) };
  }

  /** `window` was published with its checkpoint: the sweep moves on to `state`. */
  published(window: WallWindow, state: SweepState): void {
    const { density, retry: _none, ...current } = state;
    this.current = current;
    this.retry = undefined;
    this.learntDensity = density;
    if (this.known && window.to >= this.known.window.to) this.known = undefined;
  }

  /** The sweep in progress as the checkpoint keeps it; none between sweeps. */
  state(): SweepState | undefined {
    if (!this.current) return undefined;
    return {
      ...this.current,
      ...(this.learntDensity !== undefined ? { density: this.learntDensity } : {}),
      ...(this.retry ? { retry: this.retry } : {}),
    };
  }
}
