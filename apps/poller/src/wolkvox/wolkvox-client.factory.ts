import {
  WolkvoxClient,
  type CallReport,
  type RequestBudget,
  type RetryPolicy,
} from '@app/wolkvox-client';
import type { PollerConfig } from '../config/poller-config.js';

/** Attempts per window for transient faults (5xx, resets, invalid JSON, maintenance). */
export const WOLKVOX_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

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
