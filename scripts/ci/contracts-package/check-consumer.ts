import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { Kafka } from 'kafkajs';
import {
  EMAIL_SENT_SCHEMA_ID,
  decodeEmailSent,
  encodeEmailSent,
  toEmailSentEvent,
  type EmailSentEvent,
} from '@wolkvox-email-events/contracts';
import { consumeEmailSent } from './consume-email-sent.js';

/*
 * Run by scripts/ci/contracts-package.sh in a project outside the repository, against the
 * installed tarball: what a subscriber team writes first. Reads the package's documents through
 * its `exports` map, publishes three events in a committed transaction after one in an aborted
 * one, and checks that the README's kafkajs example decodes exactly the three, equal to what was
 * sent. Exits non-zero, naming what differs, otherwise.
 */

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set');
const topic = `contracts-package-check-${process.pid}-${Date.now()}`;

function fail(message: string): never {
  console.error(`check-consumer: ${message}`);
  process.exit(1);
}

async function packageJson(path: string): Promise<Record<string, unknown>> {
  const url = import.meta.resolve(`@wolkvox-email-events/contracts/${path}`);
  return JSON.parse(await readFile(new URL(url), 'utf8')) as Record<string, unknown>;
}

function eventFor(to: string): EmailSentEvent {
  const record = {
    channel: 'email-route-00012',
    date: '2026-03-01 08:15:00',
    from: 'soporte@example.com',
    to,
    subject: 'Su caso',
    body: '<p>Hola</p>',
  };
  const mapped = toEmailSentEvent(record, 1, { server: '0010', timeZone: 'America/Bogota' });
  if (!mapped.ok) fail(`could not map a record: ${mapped.reason}`);
  return mapped.event;
}

// The documents ship in the tarball and are reachable by subpath.
const schema = await packageJson('schema/email-sent.v1.schema.json');
if (schema.$id !== EMAIL_SENT_SCHEMA_ID) fail(`schema $id is ${String(schema.$id)}`);
const asyncapi = await packageJson('asyncapi.json');
if (asyncapi.asyncapi !== '3.0.0') fail(`asyncapi.json is ${String(asyncapi.asyncapi)}`);
const golden = await packageJson('test-vectors/golden/email-sent.routing-point.v1.json');
const goldenDecoded = decodeEmailSent({
  key: golden.key as string,
  value: JSON.stringify(golden.value),
  headers: golden.headers as Record<string, string>,
});
if (!goldenDecoded.ok) fail(`the golden event does not decode: ${goldenDecoded.error}`);

const kafka = new Kafka({ clientId: 'contracts-package-check', brokers, logLevel: 1 });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();

const aborted = eventFor('aborted@example.com');
const committed = ['a@example.com', 'b@example.com', 'c@example.com'].map(eventFor);
const producer = kafka.producer({
  transactionalId: `${topic}-producer`,
  idempotent: true,
  maxInFlightRequests: 1,
});
await producer.connect();
const first = await producer.transaction();
await first.send({ topic, messages: [encodeEmailSent(aborted)] });
await first.abort();
const second = await producer.transaction();
await second.send({ topic, messages: committed.map(encodeEmailSent) });
await second.commit();
await producer.disconnect();

const received: EmailSentEvent[] = [];
let allReceived: () => void = () => undefined;
const done = new Promise<void>((resolve) => (allReceived = resolve));
const stop = await consumeEmailSent(
  brokers,
  (event) => {
    received.push(event);
    if (received.length >= committed.length) allReceived();
    return Promise.resolve();
  },
  { topic, groupId: `${topic}-group` },
);
const timer = setTimeout(() => fail(`decoded ${received.length} events in 60 s`), 60_000);
await done;
clearTimeout(timer);
await stop();

// One partition, the aborted transaction first in the log: had the reader seen it, it would
// have come before the three.
const ids = received.map((event) => event.id);
if (JSON.stringify(ids) !== JSON.stringify(committed.map((event) => event.id))) {
  fail(`decoded ${JSON.stringify(ids)}, expected the three committed (aborted: ${aborted.id})`);
}
received.forEach((event, index) => {
  if (!isDeepStrictEqual(event, committed[index])) {
    fail(`decoded ${JSON.stringify(event)}, sent ${JSON.stringify(committed[index])}`);
  }
});
console.log(
  `check-consumer: ok: decoded the ${received.length} committed events and not the aborted one ` +
    '(read_committed); schema, AsyncAPI and golden vector read through the exports map',
);
