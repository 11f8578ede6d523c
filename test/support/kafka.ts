import { Kafka, logLevel } from 'kafkajs';

/** The broker address that globalSetup put in the environment. */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run e2e tests through jest globalSetup');
  return brokers.split(',').map((b) => b.trim());
}

export function testKafka(clientId = 'e2e'): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
