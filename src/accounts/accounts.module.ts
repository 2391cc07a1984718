import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { SecurityReportLinkRepository } from './security-report-link.repository';
import { SecurityReportLinks } from './security-report-links.service';
import { SessionService } from './session.service';

/**
 * Organizations, users, their sessions and their "this wasn't me" links: the bottom of the
 * people side. It imports no other feature module; enrollment and sign-in build on it.
 */
@Module({
  providers: [
    AccountsRepository,
    SessionService,
    SecurityReportLinkRepository,
    SecurityReportLinks,
  ],
  exports: [AccountsRepository, SessionService, SecurityReportLinkRepository, SecurityReportLinks],
})
export class AccountsModule {}
