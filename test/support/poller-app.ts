import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  decodeDeadLetter,
  decodeEmailSent,
  type DeadLetter,
  type EmailSentEvent,
} from '@app/contracts';
import type { Kafka } from 'kafkajs';
import { AppModule } from '../../apps/poller/src/app.module.js';
import { loadConfig, type PollerConfig } from '../../apps/poller/src/config/poller-config.js';
import { readTopicToEnd } from '../../apps/poller/src/kafka/topic-reader.js';
import type { PollerStatus } from '../../apps/poller/src/loop/poller-status.js';
import { RuntimeSupervisor } from '../../apps/poller/src/runtime/runtime-supervisor.js';
import { expectExactlyOnce, expectedKeys } from './ground-truth.js';
import { testBrokers, uniqueTopic } from './kafka.js';
import type { TestSimulator } from './simulator.js';

/** A poller running in this process (Nest app and HTTP port), for tests that need no process kill. */
export interface TestPoller {
  app: INestApplication;
  config: PollerConfig;
  status: PollerStatus;
  /** Resolves once a pass reached the present after `since` (default: now). */
  caughtUp(timeoutMs?: number, since?: Date): Promise<void>;
  close(): Promise<void>;
}

/** Topic names and an operation no other test uses (pollers of one operation fence each other). */
export function isolatedEnv(name: string): Record<string, string> {
  const suffix = uniqueTopic(name);
  return {
    WOLKVOX_SERVER: suffix.replace(/[^A-Za-z0-9-]/g, '-'),
    EMAIL_SENT_TOPIC: `${suffix}.events`,
    EMAIL_DEAD_LETTER_TOPIC: `${suffix}.dlq`,
    POLLER_PROGRESS_TOPIC: `${suffix}.progress`,
    // Fault tests time out, reset and kill pollers by the dozen: a short grace for calls given
    // up on keeps them quick (test/abandoned-calls.e2e-spec.ts plays a realistic one).
    WOLKVOX_ABANDONED_CALL_SECONDS: '1',
    // No daily reconciliation pass unless a test asks for one: a run across 03:00 on the
    // operation's clock would otherwise spend calls that tests counting them do not expect.
    POLL_RECONCILE_DAYS: '0',
  };
}

export async function startTestPoller(env: Record<string, string>): Promise<TestPoller> {
  const result = loadConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    POLL_INTERVAL_SECONDS: '1',
    POLL_SETTLE_SECONDS: '0',
    ...env,
  });
  if (!result.ok) throw new Error(`bad test configuration:\n${result.problems.join('\n')}`);
  const { config } = result;
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { status } = app.get(RuntimeSupervisor).only;
  return {
    app,
    config,
    status,
    caughtUp: (timeoutMs = 120_000, since = new Date()) =>
      waitFor(
        () => {
          const last = status.lastOutcome;
          if (status.fatal) throw new Error(status.fatal);
          return last !== undefined && last.outcome.kind === 'caught-up' && last.at >= since;
        },
        timeoutMs,
        'the poller to catch up',
      ),
    close: () => app.close(),
  };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every committed event of the topic, decoded (a decode failure fails the test). */
export async function readEvents(kafka: Kafka, topic: string): Promise<EmailSentEvent[]> {
  const messages = await readTopicToEnd(kafka, topic, { timeoutMs: 120_000 });
  return messages.map(({ message }) => {
    const decoded = decodeEmailSent({
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
    });
    if (!decoded.ok)
      throw new Error(`undecodable event at offset ${message.offset}: ${decoded.error}`);
    return decoded.event;
  });
}

export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
): Promise<Array<{ key: string; letter: DeadLetter }>> {
  const messages = await readTopicToEnd(kafka, topic, { timeoutMs: 60_000 });
  return messages.map(({ message }) => {
    const decoded = decodeDeadLetter({
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
    });
    if (!decoded.ok)
      throw new Error(`undecodable dead letter at offset ${message.offset}: ${decoded.error}`);
    return { key: message.key!.toString(), letter: decoded.deadLetter };
  });
}

/**
 * Asserts that the events topic of `env` holds every valid email of the simulator's ground truth
 * exactly once, `count` of them.
 */
export async function expectEventsExactlyOnce(
  kafka: Kafka,
  simulator: TestSimulator,
  env: Record<string, string>,
  count: number,
): Promise<void> {
  const expected = expectedKeys(env.WOLKVOX_SERVER, await simulator.control.truth());
  const events = await readEvents(kafka, env.EMAIL_SENT_TOPIC);
  expectExactlyOnce(
    expected.events,
    events.map((e) => e.id),
    count,
  );
}
