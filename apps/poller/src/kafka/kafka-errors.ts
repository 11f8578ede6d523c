/**
 * The Kafka error codes (kafkajs's `type`) an error carries: its own and those of the errors it
 * wraps (kafkajs wraps the last attempt's error in KafkaJSNumberOfRetriesExceeded as
 * `originalError`; Node's `cause` too). Bounded: a wrapper chain is a few errors deep.
 */
export function kafkaErrorTypes(error: unknown): string[] {
  return errorChain(error).flatMap((e) => (typeof e.type === 'string' ? [e.type] : []));
}

interface ChainedError {
  type?: unknown;
  name?: unknown;
  originalError?: unknown;
  cause?: unknown;
}

/** An error and the errors it wraps (`originalError`, then `cause`), at most five deep. */
export function errorChain(error: unknown): ChainedError[] {
  const chain: ChainedError[] = [];
  for (
    let e = error as ChainedError | undefined;
    e && typeof e === 'object' && chain.length < 5;
    e = (e.originalError ?? e.cause) as ChainedError | undefined
  ) {
    chain.push(e);
  }
  return chain;
}

/**
 * How long to wait before sending again after the transaction coordinator answered
 * CONCURRENT_TRANSACTIONS, or undefined when the error is another one or the wait is over.
 * The coordinator says this while it finishes ending the previous transaction of the same
 * transactional id (writing its markers), which after a coordinator move waits for the new
 * leaders of the partitions involved: seconds, not a failure. Kafka's Java producer retries it
 * with a short fixed backoff (20 ms for AddPartitionsToTxn); kafkajs retries it only within its
 * general retry budget and then fails the whole send. Here: 50 ms doubling to 500 ms, for up to
 * `budgetMs` in all, so a window rides out the move instead of being read and published again.
 */
export function concurrentTransactionsRetryMs(
  error: unknown,
  attempt: number,
  elapsedMs: number,
  budgetMs = CONCURRENT_TRANSACTIONS_BUDGET_MS,
): number | undefined {
  if (!kafkaErrorTypes(error).includes('CONCURRENT_TRANSACTIONS')) return undefined;
  const delay = Math.min(500, 50 * 2 ** Math.max(0, attempt - 1));
  return elapsedMs + delay > budgetMs ? undefined : delay;
}

export const CONCURRENT_TRANSACTIONS_BUDGET_MS = 10_000;

/** Runs `work` again after CONCURRENT_TRANSACTIONS refusals, as concurrentTransactionsRetryMs says. */
export async function retryConcurrentTransactions<T>(
  work: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  clock: () => number = Date.now,
): Promise<T> {
  const started = clock();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delay = concurrentTransactionsRetryMs(error, attempt, clock() - started);
      if (delay === undefined) throw error;
      await sleep(delay);
    }
  }
}
