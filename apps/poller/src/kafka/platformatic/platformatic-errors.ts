/**
 * @platformatic/kafka names a broker's error in `apiId` (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED,
 * TOPIC_AUTHORIZATION_FAILED...), often inside a MultipleErrors (`errors`) or a `cause`; the rules
 * above the client seam (fencing, missing ACLs, message-size refusals, CONCURRENT_TRANSACTIONS)
 * read kafkajs's `type`. So the first name found is also set as the error's `type`. Pure but for
 * that one property.
 */
export function withKafkaType<E>(error: E): E {
  if (!error || typeof error !== 'object' || 'type' in error) return error;
  const id = protocolErrorId(error);
  if (id) Object.defineProperty(error, 'type', { value: id, enumerable: false });
  return error;
}

interface PlatformaticError {
  apiId?: unknown;
  code?: unknown;
  hasStaleMetadata?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** The first error along an error's causes and aggregated errors (bounded) that `test` finds. */
function findAlong<T>(error: unknown, test: (e: PlatformaticError) => T | undefined) {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length && seen < 20; seen++) {
    const e = queue.shift() as PlatformaticError | undefined;
    if (!e || typeof e !== 'object') continue;
    const found = test(e);
    if (found !== undefined) return found;
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
    if (e.cause) queue.push(e.cause);
  }
  return undefined;
}

/** The first broker error name along an error's causes and aggregated errors. */
export function protocolErrorId(error: unknown): string | undefined {
  return findAlong(error, (e) => (typeof e.apiId === 'string' ? e.apiId : undefined));
}

/**
 * Whether a failed attempt says the client's picture of the cluster may be out of date: a
 * broker it could not reach or that timed out (`PLT_KFK_NETWORK`), a leader that moved, or a
 * node the cached metadata does not list (`hasStaleMetadata`). platformatic-options.ts then
 * drops the cached metadata before the next attempt.
 */
export function staleClusterView(error: unknown): boolean {
  return (
    findAlong(error, (e) =>
      e.hasStaleMetadata === true || e.code === 'PLT_KFK_NETWORK' ? true : undefined,
    ) ?? false
  );
}

/** `work`'s result; its error, if any, typed as above. */
export async function typed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw withKafkaType(error);
  }
}
