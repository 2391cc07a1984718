import { Module } from '@nestjs/common';
import { MailDeliveryService } from './mail-delivery.service';
import { MailModule } from './mail.module';
import { MailProcessor } from './mail.processor';
import { MailTransport } from './mail-transport';

/** The mail worker (ROLES includes worker): delivery through nodemailer, retries, the sweeper. */
@Module({
  imports: [MailModule],
  providers: [MailTransport, MailDeliveryService, MailProcessor],
  exports: [MailDeliveryService],
})
export class MailWorkerModule {}
