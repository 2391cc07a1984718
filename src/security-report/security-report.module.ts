import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { EventsModule } from '../events/events.module';
import { MailModule } from '../mail/mail.module';
import { ApprovalModule } from '../recovery/approval/approval.module';
import { SignInModule } from '../sign-in/sign-in.module';
import { SecurityReportController } from './security-report.controller';
import { SecurityReportService } from './security-report.service';

/**
 * "This wasn't me": the report behind the link of every mail about a change to the holder's own
 * sign-in. The links are issued in src/accounts (every mail sender can reach them); the report
 * reaches up to the recovery requests it cancels.
 */
@Module({
  imports: [AccountsModule, AuditModule, EventsModule, MailModule, SignInModule, ApprovalModule],
  controllers: [SecurityReportController],
  providers: [SecurityReportService],
  exports: [SecurityReportService],
})
export class SecurityReportModule {}
