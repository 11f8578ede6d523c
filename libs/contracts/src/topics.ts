/**
 * The three Kafka topics of the contract, by role. Names carry a major version so that a breaking
 * change can be published on a new topic beside the old one while subscribers move over.
 */
export const DEFAULT_TOPICS = Object.freeze({
  /** One `email.sent` CloudEvent per email, keyed by its idempotency key. */
  events: 'wolkvox.email.sent.v1',
  /** Records the poller could not turn into events, with the raw value and the reason. */
  deadLetters: 'wolkvox.email.sent.dlq.v1',
  /** The poller's own checkpoint (compacted, like Kafka Connect's source offsets). */
  progress: 'wolkvox.poller.progress.v1',
});

export type TopicRole = keyof typeof DEFAULT_TOPICS;

/** Topic names by role; deployments may override any of them (e.g. `EMAIL_SENT_TOPIC`). */
export type Topics = { readonly [Role in TopicRole]: string };

/**
 * Kafka `cleanup.policy` per role. Events and dead letters are a history to replay, so they are
 * deleted only by retention; progress is state, so only the latest value per key matters.
 */
export const TOPIC_CLEANUP_POLICIES = Object.freeze({
  events: 'delete',
  deadLetters: 'delete',
  progress: 'compact',
} as const satisfies Record<TopicRole, 'delete' | 'compact'>);
