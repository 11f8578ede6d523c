/**
 * The records of one fetched partition that a `read_committed` reader may see. The protocol
 * leaves dropping the records of aborted transactions to the client: a read_committed fetch
 * answers up to the last stable offset with the list of aborted transactions (producer id, first
 * offset), and the Java consumer drops their records by it. @platformatic/kafka 2.12 reads no
 * such list, so the reader of this seam does it here. (The Kafka 4.4 broker the tests run on left
 * the aborted batches out of its read_committed answers itself; a broker that sends them, as
 * the protocol allows, would otherwise hand them out.) Pure.
 *
 * A producer's records are aborted from its aborted transaction's first offset up to its abort
 * marker (a control batch); control batches themselves are never records.
 */

export interface FetchedBatch<R> {
  firstOffset: bigint;
  lastOffsetDelta: number;
  attributes: number;
  producerId: bigint;
  records: R[];
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;

export function committedBatches<B extends FetchedBatch<unknown>>(
  batches: readonly B[],
  aborted: readonly AbortedTransaction[] | null,
  readUncommitted: boolean,
): B[] {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  const kept: B[] = [];
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length && pending[0].firstOffset <= lastOffset) {
      abortedProducers.add(pending.shift()!.producerId);
    }
    if (batch.attributes & CONTROL) {
      // The marker ends the producer's transaction: its later records are another one's.
      if (batch.attributes & TRANSACTIONAL) abortedProducers.delete(batch.producerId);
      continue;
    }
    const inAborted = batch.attributes & TRANSACTIONAL && abortedProducers.has(batch.producerId);
    if (readUncommitted || !inAborted) kept.push(batch);
  }
  return kept;
}
