import { Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository';
import { SessionService } from './session.service';

/**
 * Organizations, users and their sessions: the bottom of the people side. It imports no other
 * feature module; enrollment and sign-in build on it.
 */
@Module({
  providers: [AccountsRepository, SessionService],
  exports: [AccountsRepository, SessionService],
})
export class AccountsModule {}
