import {
  DailyRequestBudget,
  WolkvoxClient,
  type CallReport,
  type RequestBudget,
} from '@app/wolkvox-client';
import type { PollerConfig } from '../config/poller-config.js';
import { WOLKVOX_RETRY } from '../cycle/call-rules.js';
import { WolkvoxEmailSource } from './wolkvox-email-source.js';

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
