import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Transport } from '@nestjs/microservices';
import {
  decodeDeadLetter,
  decodeEmailSent,
  deadLetterKey,
  type EmailSentEvent,
} from '@wolkvox-email-events/contracts';
import { HandledKeys } from './handled-keys.js';
import { settings } from './settings.js';

/**
 * The subscriber's handlers, one per topic. Each message is, in order: decoded with the
 * contracts package; handled once by its key (a key already in the store is skipped); and only
 * then its offset committed. A crash anywhere before the commit redelivers the message, and the
 * store makes the second delivery a no-op. Messages are handled one at a time per partition
 * (kafkajs' eachMessage), so a commit never passes an unhandled message.
 */
@Controller()
export class EmailSentController {
  private readonly logger = new Logger('Subscriber');

  constructor(private readonly handled: HandledKeys) {}

  @EventPattern<string>(settings.eventsTopic, Transport.KAFKA)
  async onEmailSent(_value: unknown, @Ctx() context: KafkaContext): Promise<void> {
    const message = context.getMessage();
    const at = `partition ${context.getPartition()} offset ${message.offset}`;
    const decoded = decodeEmailSent(message);
    if (!decoded.ok) {
      await this.park(context, decoded.error);
      this.logger.warn(`refused ${at}: ${decoded.error}; parked on ${settings.parkedTopic}`);
    } else if (this.handled.has(decoded.event.id)) {
      this.logger.log(`already handled ${decoded.event.id} (${at}): skipped`);
    } else {
      this.handle(decoded.event, at);
      this.handled.add(decoded.event.id);
    }
    await this.commit(context);
  }

  /** Dead letters are the poller's records that could not become events: shown, not handled. */
  @EventPattern<string>(settings.deadLettersTopic, Transport.KAFKA)
  async onDeadLetter(_value: unknown, @Ctx() context: KafkaContext): Promise<void> {
    const decoded = decodeDeadLetter(context.getMessage());
    if (decoded.ok) {
      const { deadLetter } = decoded;
      const key = deadLetterKey(deadLetter.server, deadLetter.raw, deadLetter.occurrence ?? 1);
      this.logger.warn(`dead letter ${key} from wv${deadLetter.server}: ${deadLetter.reason}`);
    } else {
      this.logger.warn(`dead letter that does not decode: ${decoded.error}`);
    }
    await this.commit(context);
  }

  /** Your side effect goes here; in a real service, in one transaction with the key. */
  private handle(event: EmailSentEvent, at: string): void {
    const { data } = event;
    this.logger.log(
      `handled ${event.id} ${data.sentAt} ${event.subject ?? '(no channel)'} -> ` +
        `${data.recipients.join(', ') || '(no recipient)'} (${at})`,
    );
  }

  /**
   * Keeps a refused message, byte for byte, on the parked topic, with why and where it came
   * from: an event of a newer major version waits there for a subscriber that reads it.
   */
  private async park(context: KafkaContext, reason: string): Promise<void> {
    const message = context.getMessage();
    await context.getProducer().send({
      topic: settings.parkedTopic,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'x-refused-reason': reason,
            'x-refused-from': `${context.getTopic()}/${context.getPartition()}/${message.offset}`,
          },
        },
      ],
    });
  }

  /** Commits the offset after this message: the next one is where a restart resumes. */
  private async commit(context: KafkaContext): Promise<void> {
    const next = (BigInt(context.getMessage().offset) + 1n).toString();
    await context
      .getConsumer()
      .commitOffsets([
        { topic: context.getTopic(), partition: context.getPartition(), offset: next },
      ]);
  }
}
