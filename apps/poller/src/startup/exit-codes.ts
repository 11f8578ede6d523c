/**
 * What the exit status of the poller and of its CLI means, for operators' scripts and
 * Kubernetes (docs/OPERATIONS.md lists them); the service itself ends with 0, 1 or 78.
 * "Nothing there yet" (no checkpoint, no reconciliation pass, nothing to backfill) is an
 * answer, not a failure: 0, with a sentence saying so.
 */
export const EXIT = {
  ok: 0,
  /** The command could not do its work: Kafka unreachable, an incomplete backfill, a refusal, an undecodable message. */
  failed: 1,
  /** The operation's checkpoint cannot be read: the poller publishes nothing until it is reset. */
  unreadableCheckpoint: 2,
  /** Bad command line: an unknown command or option, a missing or malformed value (EX_USAGE). */
  usage: 64,
  /** Bad configuration: a variable missing or wrong, a Node below the floor (EX_CONFIG). */
  config: 78,
  /** Stopped by Ctrl-C before it finished. */
  interrupted: 130,
} as const;
