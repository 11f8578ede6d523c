/*
 * The e2e project's jest runner: jest's own (jest-runner), run as lanes.
 *
 * Most e2e files spend their time waiting (for a poll interval, a lease, a broker, a pass), so
 * they run side by side. A few load the machine or assert what CPU contention would upset; the
 * `@lane` pragma of a file's leading docblock says so:
 * - `@lane alone`: nothing runs beside it. These files run first, one after the other.
 * - `@lane solo`: never beside another solo file. They run one at a time in a lane of one
 *   worker while the other files share the rest of jest's workers (--maxWorkers,
 *   jest.config.cjs) in a second lane.
 * `--runInBand` (-i) still runs every file one after the other, in this process.
 *
 * Jest loads this file as CommonJS outside the test module system (no moduleNameMapper), so it
 * imports only packages and node builtins.
 */
import { readFileSync } from 'node:fs';
import { extract, parse } from 'jest-docblock';
import jestRunner, {
  EmittingTestRunner,
  type Config,
  type Test,
  type TestEvents,
  type TestRunnerContext,
  type TestRunnerOptions,
  type TestWatcher,
  type UnsubscribeFn,
} from 'jest-runner';

/**
 * jest-runner's class. TypeScript reads the import as Node's ESM loader would (the default
 * import is module.exports); jest loads this file as CommonJS with interop (the default import
 * is module.exports.default). Either way, this is the class.
 */
const loaded: unknown = jestRunner;
const TestRunner = (
  typeof loaded === 'function' ? loaded : jestRunner.default
) as typeof jestRunner.default;
type TestRunner = InstanceType<typeof TestRunner>;

export interface Lane<T> {
  name: 'alone' | 'solo' | 'shared';
  workers: number;
  tests: T[];
}

/**
 * How `tests` (in jest's order, slowest known first) run with `maxWorkers` workers: first the
 * lane of `alone` files, one after the other; then, at once, `solo` files one at a time in a lane
 * of their own and the others in the remaining workers. With one worker, or when one kind is
 * missing, the second step is a single lane.
 */
export function planLanes<T>(
  tests: readonly T[],
  laneOfTest: (test: T) => string | undefined,
  maxWorkers: number,
): { first: Array<Lane<T>>; then: Array<Lane<T>> } {
  const of = (lane: string | undefined) => tests.filter((test) => laneOfTest(test) === lane);
  const alone = of('alone');
  const solo = of('solo');
  const shared = tests.filter((test) => !['alone', 'solo'].includes(laneOfTest(test) ?? ''));
  const first: Array<Lane<T>> = alone.length ? [{ name: 'alone', workers: 1, tests: alone }] : [];
  if (maxWorkers < 2 || solo.length === 0 || shared.length === 0) {
    const rest = tests.filter((test) => laneOfTest(test) !== 'alone');
    const name = shared.length === 0 ? 'solo' : 'shared';
    const workers = name === 'solo' ? 1 : Math.max(1, maxWorkers);
    return { first, then: rest.length === 0 ? [] : [{ name, workers, tests: rest }] };
  }
  return {
    first,
    then: [
      { name: 'solo', workers: 1, tests: solo },
      { name: 'shared', workers: maxWorkers - 1, tests: shared },
    ],
  };
}

/**
 * The `@lane` pragma of a test file's leading docblock ("solo"), or undefined. Only its first
 * word: jest-docblock joins a pragma with the comment line after it.
 */
export function laneOf(source: string): string | undefined {
  const lane = parse(extract(source)).lane;
  return (Array.isArray(lane) ? lane[0] : lane)?.split(/\s/)[0];
}

const EVENTS: Array<keyof TestEvents> = [
  'test-file-start',
  'test-file-success',
  'test-file-failure',
  'test-case-start',
  'test-case-result',
];

/** A listener of any event, as stored: `on` pairs each with its event's name. */
type Listener = (eventData: unknown) => void | Promise<void>;

export default class LanesRunner extends EmittingTestRunner {
  readonly #listeners = new Map<keyof TestEvents, Set<Listener>>();

  constructor(globalConfig: Config.GlobalConfig, context: TestRunnerContext) {
    super(globalConfig, context);
  }

  async runTests(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    if (options.serial) {
      await this.#lane(this._globalConfig.maxWorkers).runTests(tests, watcher, options);
      return;
    }
    const lanes = new Map(tests.map((test) => [test, laneOf(readFileSync(test.path, 'utf8'))]));
    const plan = planLanes(tests, (test) => lanes.get(test), this._globalConfig.maxWorkers);
    // Each lane is jest's runner with a pool of its own; a failure in one does not stop another.
    for (const step of [plan.first, plan.then])
      await Promise.all(
        step.map((lane) => this.#lane(lane.workers).runTests(lane.tests, watcher, options)),
      );
  }

  on<Name extends keyof TestEvents>(
    eventName: Name,
    listener: (eventData: TestEvents[Name]) => void | Promise<void>,
  ): UnsubscribeFn {
    const listeners = this.#listeners.get(eventName) ?? new Set<Listener>();
    this.#listeners.set(eventName, listeners);
    listeners.add(listener as Listener);
    return () => listeners.delete(listener as Listener);
  }

  /** Jest's runner with `workers` workers, its events passed on to this runner's listeners. */
  #lane(workers: number): TestRunner {
    const runner = new TestRunner({ ...this._globalConfig, maxWorkers: workers }, this._context);
    for (const name of EVENTS) {
      runner.on(name, async (eventData) => {
        for (const listener of this.#listeners.get(name) ?? []) await listener(eventData);
      });
    }
    return runner;
  }
}
