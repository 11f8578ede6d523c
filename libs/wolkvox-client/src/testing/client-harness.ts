import { parseWallTime } from '@app/contracts';
import { MockAgent } from 'undici';
import type { CallReport } from '../fetch-outcome.js';
import { DailyRequestBudget } from '../request-budget.js';
import { WolkvoxClient } from '../wolkvox-client.js';
import type { WolkvoxClientOptions } from '../client-options.js';

/** The client's specs share this: a client on undici's MockAgent, and the API's answers. */

export const TOKEN = 'tok-9f8e7d6c5b4a';
export const ORIGIN = 'https://wv0010.wolkvox.com';
export const PATH = '/api/v2/reports_manager.php';
export const ZONE = 'America/Bogota';
// 10:00 in Bogota on 2026-03-01.
export const NOW = new Date('2026-03-01T15:00:00Z');
export const clock = { now: () => NOW };

export const window = {
  from: parseWallTime('2026-03-01 08:00:00')!,
  to: parseWallTime('2026-03-01 08:59:59')!,
};

export function record(second: number, extra: Record<string, unknown> = {}) {
  return {
    channel: 'email-route-00012',
    date: `2026-03-01 08:00:${String(second).padStart(2, '0')}`,
    from: 'soporte@example.com',
    to: 'ana@example.com',
    subject: 'Su caso',
    body: '<p>Hola</p>',
    ...extra,
  };
}

export function envelope(
  code: number | string,
  error: string | null,
  msg: string,
  data?: unknown,
): string {
  return JSON.stringify(data === undefined ? { code, error, msg } : { code, error, msg, data });
}

export interface Harness {
  client: WolkvoxClient;
  agent: MockAgent;
  budget: DailyRequestBudget;
  calls: CallReport[];
  sleeps: number[];
  requests: Array<{ path: string; headers: Record<string, string> }>;
  /** Queues one response (or `times` identical ones). */
  respond(status: number, body: string | (() => Promise<string>), times?: number): void;
}

export function harness(options: Partial<WolkvoxClientOptions> & { limit?: number } = {}): Harness {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const budget = new DailyRequestBudget({ limit: options.limit, timeZone: ZONE, clock });
  const calls: CallReport[] = [];
  const sleeps: number[] = [];
  const requests: Harness['requests'] = [];
  const client = new WolkvoxClient({
    server: '0010',
    token: TOKEN,
    timeZone: ZONE,
    maxConcurrency: 1,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    budget,
    dispatcher: agent,
    clock,
    random: () => 0.5,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      signal?.throwIfAborted();
      return Promise.resolve();
    },
    onCall: (report) => calls.push(report),
    ...options,
  });
  const respond: Harness['respond'] = (status, body, times = 1) => {
    pool
      .intercept({ path: (path) => path.startsWith(PATH), method: 'GET' })
      .reply(status, (opts) => {
        requests.push({ path: opts.path, headers: opts.headers as Record<string, string> });
        return typeof body === 'function' ? body() : body;
      })
      .times(times);
  };
  return { client, agent, budget, calls, sleeps, requests, respond };
}
