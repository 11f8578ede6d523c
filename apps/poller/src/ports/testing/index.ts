/**
 * In-memory adapters of the poller's ports, for unit tests of what runs on them (the poll
 * cycle, the backfill, the reconciliation pass, the window writer). Never built into the
 * service (tsconfig.build.json leaves this folder out).
 */
export { MemorySource, streamHeld, type ApiBounds } from './memory-source.js';
export { email } from './records.js';
export {
  MemoryCheckpointStore,
  MemoryKafka,
  MemoryLeaseBeacon,
  MemoryPublisher,
  type MemoryTransaction,
} from './memory-kafka.js';
