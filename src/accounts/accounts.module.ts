import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TwoFactorStateModule } from '../enrollment/two-factor-state.module';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth.controller';
import { LoginRateLimiter } from './login-rate-limiter';
import { MeController } from './me.controller';
import { MeService } from './me.service';
import { SessionService } from './session.service';
import { SignInService } from './sign-in.service';

@Module({
  imports: [AuditModule, TwoFactorStateModule],
  controllers: [AuthController, MeController],
  providers: [AccountsRepository, SessionService, SignInService, LoginRateLimiter, MeService],
  exports: [AccountsRepository, SessionService, SignInService, MeService],
})
export class AccountsModule {}
