import { randomUUID } from 'node:crypto';
import { Consumer, ProtocolError, type BaseOptions, type KafkaRecord } from '@platformatic/kafka';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { authorizationFailure } from '../authorization-failure.js';
import type { ReadMessage, ReadToEndOptions } from '../topic-reader.js';
import { committedBatches } from './committed-records.js';
import { typed, withKafkaType } from './platformatic-errors.js';

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
const EARLIEST = -2n;
const LATEST = -1n;
const PARTITION_MAX_BYTES = 8 * 1024 * 1024;

/**
 * readTopicToEnd (topic-reader.ts, same contract) on @platformatic/kafka: the end offsets are
 * taken first (ListOffsets with the reader's isolation, as kafkajs's admin asks), then each
 * partition is fetched from its leader, with no consumer group, until its position passes its
 * end. A fetch says where it stopped even when all it read were markers or aborted records, so
 * a partition whose tail is a commit marker completes. Aborted records are dropped here
 * (committed-records.ts), as the protocol asks of the client.
 */
export async function readToEndPlatformatic(
  base: BaseOptions,
  topic: string,
  options: ReadToEndOptions = {},
): Promise<ReadMessage[]> {
  const readUncommitted = options.readUncommitted ?? false;
  const isolationLevel = readUncommitted ? READ_UNCOMMITTED : READ_COMMITTED;
  const consumer = new Consumer({
    ...base,
    groupId: `reader-${topic}-${randomUUID()}`,
    isolationLevel,
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const collected: ReadMessage[] = [];
  try {
    consumer.topics.track(topic);
    // The end: the last stable offset, or the log's end (topic-reader.ts, `toLogEnd`).
    const endIsolation = options.toLogEnd ? READ_UNCOMMITTED : isolationLevel;
    const [lows, highs] = await Promise.all(
      [EARLIEST, LATEST].map((timestamp) =>
        typed(
          consumer.listOffsets({
            topics: [topic],
            timestamp,
            isolationLevel: timestamp === LATEST ? endIsolation : isolationLevel,
          }),
        ),
      ),
    );
    const positions = new Map<number, bigint>();
    const ends = new Map<number, bigint>();
    (highs.get(topic) ?? []).forEach((high, partition) => {
      const from = BigInt(options.fromOffsets?.[partition] ?? lows.get(topic)?.[partition] ?? 0n);
      if (high > from) {
        positions.set(partition, from);
        ends.set(partition, high);
      }
    });
    while (positions.size) {
      if (Date.now() > deadline) {
        throw new Error(
          `reading ${topic} to its end took over ${timeoutMs} ms; partitions left: ${[...positions.keys()].join(',')}`,
        );
      }
      const metadata = await typed(consumer.metadata({ topics: [topic] }));
      const described = metadata.topics.get(topic)!;
      const byLeader = new Map<number, number[]>();
      for (const partition of positions.keys()) {
        const leader = described.partitions[partition].leader;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      for (const [node, partitions] of byLeader) {
        const response = await typed(
          consumer.fetch({
            node,
            isolationLevel,
            maxWaitTime: 200,
            minBytes: 1,
            maxBytes: 64 * 1024 * 1024,
            topics: [
              {
                topicId: described.id,
                partitions: partitions.map((partition) => ({
                  partition,
                  fetchOffset: positions.get(partition)!,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: PARTITION_MAX_BYTES,
                })),
              },
            ],
          }),
        );
        for (const fetched of response.responses.flatMap((r) => r.partitions)) {
          const partition = fetched.partitionIndex;
          const position = positions.get(partition);
          if (position === undefined) continue;
          if (fetched.errorCode) throw new ProtocolError(fetched.errorCode);
          const batches = fetched.records ?? [];
          for (const batch of committedBatches(
            batches,
            fetched.abortedTransactions,
            readUncommitted,
          )) {
            for (const record of batch.records) {
              const offset = batch.firstOffset + BigInt(record.offsetDelta);
              if (offset < position || offset >= ends.get(partition)!) continue;
              const read = {
                partition,
                offset: String(offset),
                message: asKafkaMessage(record, offset, batch.firstTimestamp),
              };
              if (options.onMessage) await options.onMessage(read);
              else collected.push(read);
            }
          }
          const last = batches.at(-1);
          if (last) positions.set(partition, last.firstOffset + BigInt(last.lastOffsetDelta) + 1n);
          if (positions.get(partition)! >= ends.get(partition)!) positions.delete(partition);
        }
      }
    }
    // Every partition is at its end as the call found it (topic-reader.ts, `onEnd`).
    options.onEnd?.(
      new Map((highs.get(topic) ?? []).map((high, partition) => [partition, String(high)])),
    );
  } catch (error) {
    throw refusal(withKafkaType(error), topic, options);
  } finally {
    await consumer.close(true).catch(() => undefined);
  }
  return collected;
}

/**
 * The error, or the missing ACL it means. A refused fetch comes as the client's error, or as a
 * partition's error code where the client leaves it in the answer.
 */
function refusal(error: unknown, topic: string, options: ReadToEndOptions): unknown {
  const grantee = options.grantee ?? { principal: 'User:<principal>', bootstrap: '<brokers>' };
  return authorizationFailure(error, { kind: 'read', topic }, grantee) ?? error;
}

/** The record in kafkajs's shape, which the readers above the seam take. */
function asKafkaMessage(record: KafkaRecord, offset: bigint, firstTimestamp: bigint): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of record.headers) {
    if (name) headers[name.toString()] = value ?? undefined;
  }
  return {
    key: record.key,
    value: record.value,
    timestamp: String(firstTimestamp + record.timestampDelta),
    attributes: record.attributes,
    offset: String(offset),
    headers,
  };
}
