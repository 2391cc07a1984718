import { Module } from '@nestjs/common';
import { SignInChallengeRepository } from './sign-in-challenge.repository';
import { SignInChallengeService } from './sign-in-challenge.service';
import { TwoFactorRepository } from './two-factor.repository';

/**
 * The two-factor state that sign-in and /api/me read (factor status, recovery codes left,
 * challenges). It depends on nothing but the database, so AccountsModule can import it while the
 * enrollment module, which needs accounts' sessions and users, sits above both.
 */
@Module({
  providers: [TwoFactorRepository, SignInChallengeRepository, SignInChallengeService],
  exports: [TwoFactorRepository, SignInChallengeService],
})
export class TwoFactorStateModule {}
