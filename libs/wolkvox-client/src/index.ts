export { WolkvoxClient, MAX_WINDOW_SECONDS, type FetchWindowOptions } from './wolkvox-client.js';
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_TRUNCATION_LIMIT,
  REPORTS_MANAGER_PATH,
  resolveEndpoint,
  type WolkvoxClientOptions,
} from './client-options.js';
export type {
  BudgetExhaustedOutcome,
  CallReport,
  FetchOutcome,
  InvalidRecord,
  MisconfiguredOutcome,
  RecordSink,
  RecordsOutcome,
  SourceFailure,
  RecordsStreamed,
  StreamOutcome,
  TimedOutOutcome,
  TokenRejectedOutcome,
  UnavailableOutcome,
  ValidRecord,
  WallWindow,
} from './fetch-outcome.js';
export {
  DailyRequestBudget,
  type DailyRequestBudgetOptions,
  type RequestBudget,
} from './request-budget.js';
export { backoffDelayMs, equalJitterDelayMs, type RetryPolicy } from './backoff.js';
export { systemClock, realSleep, type Clock, type Sleep } from './clock.js';
export { classifyResponse, readEnvelopeCode, type ResponseFacts } from './classify-response.js';
export {
  EnvelopeStreamParser,
  EnvelopeSyntaxError,
  type ParsedEnvelope,
} from './envelope-stream-parser.js';
