import {
  DailyRequestBudget,
  WolkvoxClient,
  type CallReport,
  type RequestBudget,
  type RetryPolicy,
} from '@app/wolkvox-client';
import type { PollerConfig } from '../config/poller-config.js';
import { WolkvoxEmailSource } from './wolkvox-email-source.js';

/** Attempts per window for transient faults (5xx, resets, invalid JSON, maintenance). */
export const WOLKVOX_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Requests the calls in flight can spend at most: every attempt of every call the client runs
 * at once. A crash can lose the count of that many, and a live cycle may need as many.
 */
export function requestsInFlightAtMost(config: PollerConfig['wolkvox']): number {
  return config.maxConcurrency * WOLKVOX_RETRY.maxAttempts;
}

/** The day's count against WOLKVOX_DAILY_QUOTA, which the live poll and a backfill share. */
export function dailyBudgetFor(config: PollerConfig['wolkvox']): DailyRequestBudget {
  return new DailyRequestBudget({ limit: config.dailyQuota, timeZone: config.timeZone });
}

/**
 * The Wolkvox client as the poller and the CLI configure it; one place for both. A token read
 * again from WOLKVOX_TOKEN_FILE reaches it at once.
 */
export function createWolkvoxClient(
  config: PollerConfig['wolkvox'],
  budget: RequestBudget,
  onCall?: (report: CallReport) => void,
): WolkvoxClient {
  const client = new WolkvoxClient({
    server: config.server,
    token: config.token.reveal(),
    baseUrl: config.baseUrl,
    timeZone: config.timeZone,
    maxConcurrency: config.maxConcurrency,
    callTimeoutMs: config.callTimeoutMs,
    abandonedCallMs: config.abandonedCallMs,
    truncationLimit: config.maxRecords,
    retry: WOLKVOX_RETRY,
    budget,
    ...(onCall ? { onCall } : {}),
  });
  config.token.subscribe((event) => {
    if (event.kind === 'changed') client.useToken(config.token.reveal());
  });
  return client;
}

/** The EmailSource port's adapter for the live poll: the client on the day's budget. */
export function wolkvoxEmailSource(
  config: PollerConfig,
  onCall: (report: CallReport) => void,
): WolkvoxEmailSource {
  const budget = dailyBudgetFor(config.wolkvox);
  return new WolkvoxEmailSource(createWolkvoxClient(config.wolkvox, budget, onCall), budget);
}
