import { CallLog } from './call-log.js';
import { DailyQuota } from './daily-quota.js';
import { generateRecords } from './data-generator.js';
import { FaultPlan } from './fault-plan.js';
import { LiveTraffic } from './live-traffic.js';
import { Random } from './prng.js';
import { RecordStore, type StoredRecord } from './record-store.js';
import type { CodeStyle } from './api-rules.js';
import type {
  BoundsMode,
  EmptyAnswer,
  RecordOrder,
  SimulatorOptions,
} from './simulator-options.js';
import { ZoneClock } from './zone-clock.js';

/** Settings a run can change while it serves (POST /control/settings). */
export interface RuntimeSettings {
  order: RecordOrder;
  bounds: BoundsMode;
  codeStyle: CodeStyle;
  emptyAnswer: EmptyAnswer;
  truncationLimit: number;
  maxConcurrency: number;
  abandonedHoldMs: number;
  /** null: no limit. */
  dailyQuota: number | null;
}

/** Everything one simulator run knows: ground truth, counters, faults, the call log. */
export class SimulatorState {
  readonly clock: ZoneClock;
  readonly store = new RecordStore();
  readonly calls = new CallLog();
  readonly quota: DailyQuota;
  readonly faults: FaultPlan;
  readonly live: LiveTraffic;
  settings: RuntimeSettings;
  /** Calls with the valid token being answered right now. */
  inFlight = 0;
  /** Shuffles and `code` styles of responses, seeded. */
  responseRandom: Random;
  /** The token accepted, once changed by the control API (the admins regenerated it). */
  rotatedToken: string | undefined;

  constructor(readonly options: SimulatorOptions) {
    this.clock = new ZoneClock(options.timeZone, options.now);
    this.quota = new DailyQuota(this.clock, options.dailyQuota);
    this.faults = new FaultPlan(options.seed, options.faults);
    this.live = new LiveTraffic(options.seed, this.store, this.clock);
    this.settings = this.#startSettings();
    this.responseRandom = new Random(`${options.seed}:responses`);
    this.#loadGenerated();
    if (options.livePerSecond > 0) this.live.set(options.livePerSecond);
  }

  get token(): string {
    return this.rotatedToken ?? this.options.token;
  }

  updateSettings(change: Partial<RuntimeSettings>): RuntimeSettings {
    this.settings = { ...this.settings, ...change };
    this.quota.limit = this.settings.dailyQuota ?? undefined;
    return this.settings;
  }

  append(records: StoredRecord[]): number {
    return this.store.append(records);
  }

  /**
   * Back to the start of the run: the seeded data (or none), no calls, a fresh quota, the
   * start's faults and settings, no live traffic. In-flight calls finish undisturbed.
   */
  reset(data: 'generated' | 'empty' = 'generated'): void {
    this.live.stop();
    this.store.clear();
    if (data === 'generated') this.#loadGenerated();
    this.calls.clear();
    this.quota.reset();
    this.faults.reset(this.options.faults);
    this.settings = this.#startSettings();
    this.quota.limit = this.options.dailyQuota;
    this.responseRandom = new Random(`${this.options.seed}:responses`);
    this.rotatedToken = undefined;
  }

  close(): void {
    this.live.stop();
  }

  status() {
    return {
      records: this.store.size,
      calls: this.calls.entries().length,
      inFlight: this.inFlight,
      quota: { day: this.quota.day, used: this.quota.used, limit: this.quota.limit ?? null },
      settings: this.settings,
      faults: this.faults.settings,
      live: { perSecond: this.live.perSecond, sent: this.live.sent },
      timeZone: this.options.timeZone,
      now: new Date(this.clock.nowMs()).toISOString(),
    };
  }

  #startSettings(): RuntimeSettings {
    const o = this.options;
    return {
      order: o.order,
      bounds: o.bounds,
      codeStyle: o.codeStyle,
      emptyAnswer: o.emptyAnswer,
      truncationLimit: o.truncationLimit,
      maxConcurrency: o.maxConcurrency,
      abandonedHoldMs: o.abandonedHoldMs,
      dailyQuota: o.dailyQuota ?? null,
    };
  }

  #loadGenerated(): void {
    if (this.options.generation) {
      this.store.append(generateRecords(this.options.generation, this.options.seed, this.clock));
    }
  }
}
