import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import {
  deadLetterKey,
  DeadLetterKeyer,
  encodeEmailSent,
  EMAIL_SENT_CONTENT_TYPE,
  toEmailSentEvent,
  validateCdr9Record,
  withOccurrences,
  type Cdr9Record,
  type Operation,
} from '@app/contracts';

/** What the poller must publish for a workload, and where the baselines read the same events. */
export interface ExpectedOutput {
  events: number;
  /** Key plus value bytes of every event: the MB of MB/s. */
  eventBytes: number;
  /** Distinct dead letters (invalid records, identical ones counted once as the poller does). */
  deadLetters: number;
  /** One event a line, `key<TAB>value`, for kcat -K '\t' -l and the kafkajs baseline. */
  messageFile: string;
}

/**
 * The events the poller publishes for these records, built with the contracts lib exactly as
 * apps/poller/src/cycle/event-mapping.ts builds them (numbering identical records, mapping,
 * encoding), written to a file. Identical records share one second and windows never cut a
 * second, so numbering the whole set at once gives the keys any window split gives.
 */
export async function writeExpectedEvents(
  records: readonly unknown[],
  operation: Operation,
  maxEventBytes: number,
  messageFile: string,
): Promise<ExpectedOutput> {
  const valid: Cdr9Record[] = [];
  const deadLetterKeys = new Set<string>();
  // Identical bad records are a dead letter each, numbered as the poller numbers them.
  const badKeyer = new DeadLetterKeyer(operation.server);
  for (const raw of records) {
    const checked = validateCdr9Record(raw);
    if (checked.ok) valid.push(checked.record);
    else deadLetterKeys.add(badKeyer.next(raw).key);
  }
  const out = createWriteStream(messageFile);
  let events = 0;
  let eventBytes = 0;
  for (const { record, occurrence } of withOccurrences(valid)) {
    const mapped = toEmailSentEvent(record, occurrence, operation);
    if (!mapped.ok) {
      deadLetterKeys.add(deadLetterKey(operation.server, record, occurrence));
      continue;
    }
    const message = encodeEmailSent(mapped.event);
    if (message.value.length > maxEventBytes) {
      deadLetterKeys.add(mapped.event.id);
      continue;
    }
    if (message.value.includes(0x0a) || message.value.includes(0x09))
      throw new Error(`event ${message.key} holds a raw newline or tab: kcat would split it`);
    events += 1;
    eventBytes += Buffer.byteLength(message.key) + message.value.length;
    if (!out.write(`${message.key}\t`)) await once(out, 'drain');
    if (!out.write(message.value)) await once(out, 'drain');
    if (!out.write('\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { events, eventBytes, deadLetters: deadLetterKeys.size, messageFile };
}

/** A pre-built Kafka message, as the baselines send it. */
export interface PrebuiltMessage {
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads the message file back into messages (views of one buffer: no copy per message). */
export function readMessages(messageFile: string): PrebuiltMessage[] {
  const data = readFileSync(messageFile);
  const headers = { 'content-type': EMAIL_SENT_CONTENT_TYPE };
  const messages: PrebuiltMessage[] = [];
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(0x0a, start);
    const tab = data.indexOf(0x09, start);
    messages.push({ key: data.subarray(start, tab), value: data.subarray(tab + 1, end), headers });
    start = end + 1;
  }
  return messages;
}
