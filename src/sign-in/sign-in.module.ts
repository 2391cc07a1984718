import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { AuthController } from './auth.controller';
import { LoginRateLimiter } from './login-rate-limiter';
import { SignInChallengeRepository } from './sign-in-challenge.repository';
import { SignInChallengeService } from './sign-in-challenge.service';
import { SignInController } from './sign-in.controller';
import { SignInService } from './sign-in.service';
import { StepUpController } from './step-up.controller';
import { StepUpService } from './step-up.service';
import { TwoFactorRequirement } from './two-factor-requirement';
import { TwoFactorSignInService } from './two-factor-sign-in.service';

/**
 * Everything under /api/auth: the password step (throttled by LoginRateLimiter), the challenge it
 * issues, the second step (a TOTP code, a recovery code, or enrolling a factor now), sign-out and
 * step-up; and the session guard's two-factor rule (TwoFactorRequirement, used by auth.guard.ts).
 * Built on accounts (users, sessions) and enrollment (the factor); neither imports this module.
 */
@Module({
  imports: [AccountsModule, AuditModule, EnrollmentModule],
  controllers: [AuthController, SignInController, StepUpController],
  providers: [
    SignInService,
    TwoFactorSignInService,
    SignInChallengeRepository,
    SignInChallengeService,
    LoginRateLimiter,
    StepUpService,
    TwoFactorRequirement,
  ],
  exports: [
    SignInChallengeService,
    StepUpService,
    TwoFactorRequirement,
    // the web pages call the same services as the API
    SignInService,
    TwoFactorSignInService,
  ],
})
export class SignInModule {}
