import { Random } from './prng.js';

export const FAULT_KINDS = ['server-error', 'hang', 'malformed', 'reset', 'maintenance'] as const;
/**
 * - `server-error`: a 500 envelope, or a 502/503 page from the proxy in front
 * - `hang`: no answer for `hangMs` (longer than any client timeout), then the normal answer
 * - `malformed`: 200 with a body cut off in the middle of the JSON
 * - `reset`: the connection is destroyed without an answer
 * - `maintenance`: the 403 Wolkvox sends during its backups
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSettings {
  /** Added before every answer to a call with a valid token. */
  latencyMs: number;
  /** Up to this much more, drawn per call. */
  latencyJitterMs: number;
  serverErrorRate: number;
  hangRate: number;
  malformedRate: number;
  resetRate: number;
  maintenanceRate: number;
  hangMs: number;
  /** Faults for the next calls, in order, before the rates apply (tests script these). */
  queue: FaultKind[];
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  latencyJitterMs: 0,
  serverErrorRate: 0,
  hangRate: 0,
  malformedRate: 0,
  resetRate: 0,
  maintenanceRate: 0,
  hangMs: 90_000,
  queue: [],
};

/** What happens to one call. */
export interface FaultDraw {
  fault: FaultKind | undefined;
  latencyMs: number;
  /** For `server-error`: which one. */
  serverErrorStatus: 500 | 502 | 503;
}

/** Draws each call's fault from a seeded stream: the same seed gives the same sequence of faults. */
export class FaultPlan {
  #settings: FaultSettings;
  #random: Random;

  constructor(
    private readonly seed: string,
    settings: FaultSettings,
  ) {
    this.#settings = { ...settings, queue: [...settings.queue] };
    this.#random = new Random(`${seed}:faults`);
  }

  get settings(): FaultSettings {
    return { ...this.#settings, queue: [...this.#settings.queue] };
  }

  /** Replaces the fields given (a given `queue` replaces the queue). */
  update(change: Partial<FaultSettings>): FaultSettings {
    this.#settings = {
      ...this.#settings,
      ...change,
      queue: [...(change.queue ?? this.#settings.queue)],
    };
    return this.settings;
  }

  /** Back to `settings` and the start of the seeded stream. */
  reset(settings: FaultSettings): void {
    this.#settings = { ...settings, queue: [...settings.queue] };
    this.#random = new Random(`${this.seed}:faults`);
  }

  draw(): FaultDraw {
    const s = this.#settings;
    // Every draw takes the same three numbers, so the sequence does not depend on the rates.
    const roll = this.#random.next();
    const jitter = this.#random.next();
    const which = this.#random.next();
    const latencyMs = s.latencyMs + Math.floor(jitter * s.latencyJitterMs);
    const serverErrorStatus = which < 1 / 3 ? 500 : which < 2 / 3 ? 502 : 503;
    const queued = s.queue.shift();
    if (queued) return { fault: queued, latencyMs, serverErrorStatus };
    let threshold = 0;
    for (const [fault, rate] of [
      ['server-error', s.serverErrorRate],
      ['hang', s.hangRate],
      ['malformed', s.malformedRate],
      ['reset', s.resetRate],
      ['maintenance', s.maintenanceRate],
    ] as const) {
      threshold += rate;
      if (roll < threshold) return { fault, latencyMs, serverErrorStatus };
    }
    return { fault: undefined, latencyMs, serverErrorStatus };
  }
}
