import { Module } from '@nestjs/common';
import { registerQueue } from '../queue/queue.module';
import { QueueName } from '../queue/queue-names';
import { AfterCommitHooks } from './after-commit';
import { MailQueue } from './mail.queue';
import { MailService } from './mail.service';
import { OutboundMailRepository } from './outbound-mail.repository';

const mailQueue = registerQueue(QueueName.mail);

/** Outbound mail for every role: import this module and inject MailService to send mail. */
@Module({
  imports: [mailQueue],
  providers: [OutboundMailRepository, MailQueue, AfterCommitHooks, MailService],
  exports: [mailQueue, MailService, MailQueue, OutboundMailRepository, AfterCommitHooks],
})
export class MailModule {}
