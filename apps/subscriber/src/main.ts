import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaOptions } from './kafka-options.js';
import { settings } from './settings.js';
import { SubscriberModule } from './subscriber.module.js';

/**
 * The email.sent subscriber: a Nest microservice on the Kafka transport. Configured from the
 * environment (see the README); on SIGTERM or SIGINT it leaves the group at once and exits 0.
 */
async function main(): Promise<void> {
  const logger = new Logger('Subscriber');
  await checkTopics();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(SubscriberModule, {
    transport: Transport.KAFKA,
    options: kafkaOptions(settings),
  });
  // Not enableShutdownHooks: it closes the app, then raises the signal again, so the process
  // ends killed by it rather than with a clean exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: leaving the group`);
      void app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen();
  logger.log(
    `consuming ${settings.eventsTopic} and ${settings.deadLettersTopic} as group ` +
      `${settings.groupId} (read_committed); handled keys in ${settings.handledKeysFile}; ` +
      `refused messages parked on ${settings.parkedTopic}`,
  );
}

/**
 * The topics read must exist (the poller creates them; a subscription to a missing one fails
 * with a message that does not say which), and the parked topic is created when missing, before
 * the first refusal needs it: brokers may not auto-create topics.
 */
async function checkTopics(): Promise<void> {
  const kafka = new Kafka({
    clientId: `${settings.groupId}-admin`,
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of [settings.eventsTopic, settings.deadLettersTopic]) {
      if (!existing.has(topic)) {
        throw new Error(`topic ${topic} does not exist: start the poller first, which creates it`);
      }
    }
    if (!existing.has(settings.parkedTopic)) {
      await admin.createTopics({ topics: [{ topic: settings.parkedTopic }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`subscriber: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
