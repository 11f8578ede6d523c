import { formatWallTime, type WallSeconds } from '@app/contracts';
import type { CallLogEntry } from '../../apps/simulator/src/call-log.js';
import type { FaultSettings } from '../../apps/simulator/src/fault-plan.js';
import type { TruthEntry } from '../../apps/simulator/src/record-store.js';
import type { RuntimeSettings } from '../../apps/simulator/src/simulator-state.js';
import type { SimulatorOptionsInput } from '../../apps/simulator/src/simulator-options.js';
import { startSimulator, type RunningSimulator } from '../../apps/simulator/src/start-simulator.js';

export type { CallLogEntry, RunningSimulator, TruthEntry };

/**
 * A Wolkvox simulator for one test file, in this process on a free port, with a client for
 * its control API (over HTTP, like the demo uses it). Tests that need it read the state
 * directly through `simulator.state`.
 */
export interface TestSimulator extends RunningSimulator {
  control: SimulatorControl;
}

export async function startTestSimulator(
  options: SimulatorOptionsInput = {},
): Promise<TestSimulator> {
  const simulator = await startSimulator({ seed: 'e2e', ...options });
  return { ...simulator, control: new SimulatorControl(simulator.url) };
}

export interface AppendItem {
  record: Record<string, unknown>;
  visibleAt?: string | number;
  indexDate?: string;
}

export class SimulatorControl {
  constructor(private readonly url: string) {}

  append(records: AppendItem[]): Promise<{ appended: number; total: number }> {
    return this.#post('/control/records', { records });
  }

  truth(): Promise<TruthEntry[]> {
    return this.#get('/control/truth');
  }

  calls(): Promise<CallLogEntry[]> {
    return this.#get('/control/calls');
  }

  faults(change: Partial<FaultSettings>): Promise<FaultSettings> {
    return this.#post('/control/faults', change);
  }

  settings(change: Partial<RuntimeSettings>): Promise<RuntimeSettings> {
    return this.#post('/control/settings', change);
  }

  reset(data?: 'generated' | 'empty'): Promise<unknown> {
    return this.#post('/control/reset', data ? { data } : {});
  }

  /** Regenerates the token: the API accepts only `token` from now on. */
  rotateToken(token: string): Promise<{ rotated: boolean }> {
    return this.#post('/control/token', { token });
  }

  live(perSecond: number): Promise<{ perSecond: number }> {
    return this.#post('/control/live', { perSecond });
  }

  status(): Promise<{ records: number; calls: number; inFlight: number; quota: { used: number } }> {
    return this.#get('/control/status');
  }

  async #get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async #post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}

/** A valid cdr_9 record dated `wall`, distinct per `n`. */
export function cdr9Record(wall: WallSeconds, n: number, change: Record<string, unknown> = {}) {
  return {
    channel: n % 3 === 0 ? 'campaign-00007' : 'email-route-00012',
    date: formatWallTime(wall),
    from: 'soporte@example.com',
    to: `cliente${n}@example.com`,
    subject: `Caso ${n} — confirmación`,
    body: `<p>Hola, su caso <b>${n}</b> está abierto ✓</p>`,
    ...change,
  };
}
