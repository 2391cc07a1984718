import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { ImapIngressService } from './imap-ingress.service';
import { ImapMessageRepository } from './imap-message.repository';
import { InboundEmailModule } from './inbound-email.module';

/**
 * IMAP ingress: present in every process (so /health can say whether it runs here), polling
 * only when ROLES includes imap. Stores through InboundEmailModule's store, like SMTP.
 */
@Module({
  imports: [InboundEmailModule, AuditModule],
  providers: [ImapIngressService, ImapMessageRepository],
  exports: [ImapIngressService],
})
export class ImapIngressModule {}
