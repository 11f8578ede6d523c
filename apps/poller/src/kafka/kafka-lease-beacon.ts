import type { Owner } from '../lease/lease.js';
import { encodeLease } from './checkpoint-codec.js';
import { clientOf, type KafkaClient, type KafkaLike, type PlainProducer } from './kafka-client.js';
import { LeaseBeacon } from '../ports/lease-beacon.port.js';

/**
 * Sends the holder's heartbeat: writes the lease message (`<server>/lease`) to the progress topic with a plain producer: not
 * the transactional one, which is busy with the window's open transaction while a cycle runs.
 * The standby reads the progress topic uncommitted, so it sees the renewal at once.
 */
export class KafkaLeaseBeacon extends LeaseBeacon {
  private producer: PlainProducer | undefined;
  private readonly client: KafkaClient;

  constructor(
    kafka: KafkaLike,
    private readonly topic: string,
    private readonly server: string,
  ) {
    super();
    this.client = clientOf(kafka);
  }

  async renew(owner: Owner): Promise<void> {
    try {
      this.producer ??= await this.client.plainProducer();
      await this.producer.send(this.topic, [encodeLease(this.server, owner)]);
    } catch (error) {
      // A fresh producer next time: this one may be left broken by whatever failed.
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
