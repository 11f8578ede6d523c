import { isValidTimeZone } from '@app/contracts';
import type { CodeStyle } from './api-rules.js';
import type { GenerationSettings } from './data-generator.js';
import { NO_FAULTS, type FaultSettings } from './fault-plan.js';
import type { BoundsMode, RecordOrder } from './record-store.js';

export type { BoundsMode, RecordOrder } from './record-store.js';

export type EmptyAnswer = 'not-found' | 'empty-array' | 'no-data';
export const EMPTY_ANSWERS = ['not-found', 'empty-array', 'no-data'] as const;

/** Everything a simulator run is started with. */
export interface SimulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Seeds the data, the faults, the shuffles and the `code` style of a run. */
  seed: string;
  timeZone: string;
  /** The order of records in a response, and so what a cut keeps (the real API documents none). */
  order: RecordOrder;
  /** How `date_ini` and `date_end` are read: inclusive or exclusive (the real API does not say). */
  bounds: BoundsMode;
  codeStyle: CodeStyle;
  /**
   * How an empty window is answered: 404 "Validate dates entered" (documented), or a 200 "0
   * records were found" with `data: []` or with no data at all.
   */
  emptyAnswer: EmptyAnswer;
  /** Records per response, the first ones in `order`; more are dropped without a word. */
  truncationLimit: number;
  /** Calls per local day; undefined for no limit. */
  dailyQuota: number | undefined;
  maxConcurrency: number;
  /**
   * How long a call the client gave up on (timeout, reset, closed) still counts against
   * `maxConcurrency`, as if the server ran it on: 0 frees its slot at once.
   */
  abandonedHoldMs: number;
  /** The seeded data set; undefined starts with an empty store. */
  generation: GenerationSettings | undefined;
  faults: FaultSettings;
  /** Live traffic from the start: emails per second dated "now". */
  livePerSecond: number;
  /** The simulator's clock (tests may move it). */
  now: () => Date;
  /** Nest's request and startup logging. */
  logger: boolean;
}

export type SimulatorOptionsInput = Partial<Omit<SimulatorOptions, 'faults' | 'generation'>> & {
  faults?: Partial<FaultSettings>;
  generation?: Partial<GenerationSettings> & Pick<GenerationSettings, 'from' | 'to'>;
};

export const GENERATION_DEFAULTS: Omit<GenerationSettings, 'from' | 'to'> = {
  emailsPerHour: 60,
  bursts: [],
  duplicateRate: 0.01,
  lateRate: 0.02,
  lateMaxSeconds: 900,
  invalidRate: 0.005,
  largeBodyRate: 0.001,
  largeBodyBytes: 256 * 1024,
};

export function resolveOptions(input: SimulatorOptionsInput = {}): SimulatorOptions {
  const options: SimulatorOptions = {
    host: input.host ?? '127.0.0.1',
    port: input.port ?? 0,
    token: input.token ?? 'dev-token',
    seed: input.seed ?? '1',
    timeZone: input.timeZone ?? 'America/Bogota',
    order: input.order ?? 'oldest',
    bounds: input.bounds ?? 'inclusive',
    codeStyle: input.codeStyle ?? 'mixed',
    emptyAnswer: input.emptyAnswer ?? 'not-found',
    truncationLimit: input.truncationLimit ?? 60_000,
    dailyQuota: input.dailyQuota,
    maxConcurrency: input.maxConcurrency ?? 2,
    abandonedHoldMs: input.abandonedHoldMs ?? 0,
    generation: input.generation ? { ...GENERATION_DEFAULTS, ...input.generation } : undefined,
    faults: { ...NO_FAULTS, ...input.faults, queue: [...(input.faults?.queue ?? [])] },
    livePerSecond: input.livePerSecond ?? 0,
    now: input.now ?? (() => new Date()),
    logger: input.logger ?? false,
  };
  if (!isValidTimeZone(options.timeZone))
    throw new RangeError(`unknown time zone ${options.timeZone}`);
  if (!options.token) throw new RangeError('the token must not be empty');
  for (const [name, value] of [
    ['truncationLimit', options.truncationLimit],
    ['maxConcurrency', options.maxConcurrency],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer`);
  }
  return options;
}
