/**
 * A sketch of the proposed streaming poll cycle (BENCHMARKS.md), to measure what it would give:
 * each element of the response is validated, numbered, mapped and encoded as it arrives, and
 * sent in the open transaction as soon as a request's worth (DEFAULT_MAX_REQUEST_BYTES) is
 * ready, one request in flight at a time; reading the socket waits when the next request is
 * ready before the previous one was acknowledged (backpressure). A response that turns out cut
 * (60,000 elements) aborts the transaction, so a read_committed subscriber never sees any of
 * it, as today. Records identical in the six fields are numbered by a running count per
 * identity (a digest held, not the text); keys and events come from the contracts lib as the
 * poller makes them (one hash pass per record, as keyedWithOccurrences does), so the
 * difference to the poller is the streaming alone.
 * Started by streaming-proposal.ts as `node dist/bench/streaming-cycle-sketch.js`. Not used by
 * the poller.
 */
import { createHash } from 'node:crypto';
import {
  encodeEmailSent,
  formatQueryTime,
  idempotencyKeyMaterial,
  toEmailSentEvent,
  validateCdr9Record,
  type Cdr9Record,
  type EncodedMessage,
} from '@app/contracts';
import { EnvelopeStreamParser } from '@app/wolkvox-client';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { request } from 'undici';
import { DEFAULT_MAX_REQUEST_BYTES } from '../apps/poller/src/kafka/transactional-publisher.js';
import { childInput, reportAndExit } from './child-script.js';
import { selfUsage } from './process-stats.js';

export interface StreamingSketchInput {
  baseUrl: string;
  token: string;
  timeZone: string;
  window: { from: number; to: number };
  brokers: string[];
  topic: string;
}

export interface StreamingSketchResult {
  events: number;
  cut: boolean;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

async function main(): Promise<void> {
  const input = childInput<StreamingSketchInput>();
  const operation = { server: 'bench', timeZone: input.timeZone };
  const kafka = new Kafka({
    clientId: 'bench-sketch',
    brokers: input.brokers,
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({
    idempotent: true,
    transactionalId: `${input.topic}.sketch`,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  await (await producer.transaction()).abort();

  const before = selfUsage();
  const started = performance.now();
  const transaction = await producer.transaction();
  const occurrences = new Map<string, number>();
  let pending: Message[] = [];
  let pendingBytes = 0;
  let events = 0;
  const parser = new EnvelopeStreamParser((raw) => {
    const checked = validateCdr9Record(raw);
    if (!checked.ok) return; // a dead letter in the real cycle
    const message = encode(checked.record);
    pending.push(message);
    pendingBytes += 64 + message.key.length + message.value.length;
    events += 1;
  });
  /** Key, occurrence and event as keyedWithOccurrences and toEmailSentEvent make them. */
  const encode = (record: Cdr9Record): EncodedMessage => {
    const material = idempotencyKeyMaterial(operation.server, record, 1);
    const state = createHash('sha256').update(material.slice(0, -',1]'.length), 'utf8');
    const identity = state.copy().digest('base64');
    const occurrence = (occurrences.get(identity) ?? 0) + 1;
    occurrences.set(identity, occurrence);
    const key = state.update(`,${occurrence}]`, 'utf8').digest('hex');
    const mapped = toEmailSentEvent(record, occurrence, operation, key);
    if (!mapped.ok) throw new Error(mapped.reason);
    return encodeEmailSent(mapped.event);
  };
  // One request in flight while the next one is parsed and mapped: awaiting each send before
  // reading on would leave the only thread idle for every broker round trip.
  let inFlight: Promise<unknown> | undefined;
  const send = async (): Promise<void> => {
    const messages = pending;
    pending = [];
    pendingBytes = 0;
    await inFlight;
    inFlight = transaction.sendBatch({ topicMessages: [{ topic: input.topic, messages }] });
    // Awaited before the next send or the commit; this only keeps Node from calling a failure
    // unhandled in between.
    inFlight.catch(() => undefined);
  };

  const query = new URLSearchParams({
    date_ini: formatQueryTime(input.window.from),
    date_end: formatQueryTime(input.window.to),
    api: 'cdr_9',
  });
  const response = await request(
    `${input.baseUrl}/api/v2/reports_manager.php?${query.toString()}`,
    {
      headers: { 'wolkvox-token': input.token },
    },
  );
  for await (const chunk of response.body) {
    parser.write(chunk as Buffer);
    if (pendingBytes >= DEFAULT_MAX_REQUEST_BYTES) await send();
  }
  const envelope = parser.end();
  const cut = envelope.elements >= 60_000;
  if (cut) {
    await inFlight?.catch(() => undefined);
    await transaction.abort();
  } else {
    if (pending.length) await send();
    await inFlight;
    await transaction.commit();
  }
  const seconds = (performance.now() - started) / 1000;
  const after = selfUsage();
  await producer.disconnect();
  const result: StreamingSketchResult = {
    events,
    cut,
    seconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssMb: after.peakRssBytes / 1e6,
  };
  reportAndExit(result);
}

await main();
