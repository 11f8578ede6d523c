/** One measured run of one tool on one workload. */
export interface Measurement {
  tool: Tool;
  /** Events delivered (acked by Kafka, committed where the tool is transactional). */
  records: number;
  /** Key plus value bytes of those events. */
  bytes: number;
  /** Wall time of the measured span. */
  seconds: number;
  /** CPU (user + system) of the tool's process over that span. */
  cpuSeconds: number;
  /** Peak RSS of the tool's process over its life (VmHWM / maxrss). */
  peakRssBytes: number;
  /** Requests to the Wolkvox API (the poller and the fetch baseline only). */
  apiCalls?: number;
}

export const TOOLS = [
  'poller',
  // The poller on KAFKA_CLIENT=platformatic.
  'poller-platformatic',
  'kafkajs-idempotent',
  'kafkajs-transactional',
  'kcat-idempotent',
  'kcat-transactional',
  'fetch-parse',
] as const;
export type Tool = (typeof TOOLS)[number];

export const MB = 1_000_000;
