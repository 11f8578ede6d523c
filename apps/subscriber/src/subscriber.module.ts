import { Module } from '@nestjs/common';
import { EmailSentController } from './email-sent.controller.js';
import { HandledKeys } from './handled-keys.js';
import { settings } from './settings.js';

@Module({
  controllers: [EmailSentController],
  providers: [
    { provide: HandledKeys, useFactory: () => new HandledKeys(settings.handledKeysFile) },
  ],
})
export class SubscriberModule {}
