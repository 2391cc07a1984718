import { Logger, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { AppConfigService } from '../config/app-config.service';
import { MailModule } from '../mail/mail.module';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { MyTwoFactorService } from './my-two-factor.service';
import { SecondFactorService } from './second-factor.service';
import { SecretBox } from './secret-box';
import { resolveSecretKey } from './secret-key';
import { SignInController } from './sign-in.controller';
import { StepUpController } from './step-up.controller';
import { StepUpService } from './step-up.service';
import { TwoFactorNotifier } from './two-factor-notifier';
import { TwoFactorSignInService } from './two-factor-sign-in.service';
import { TwoFactorStateModule } from './two-factor-state.module';

/**
 * The TOTP factor: enrollment (settings and forced at sign-in), the second sign-in step, recovery
 * codes, secrets sealed at rest and lock-outs. SecondFactorService and StepUpService are exported for step-up checks.
 */
@Module({
  imports: [AccountsModule, AuditModule, MailModule, TwoFactorStateModule],
  controllers: [SignInController, EnrollmentController, StepUpController],
  providers: [
    {
      provide: SecretBox,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logger = new Logger('SecretKey');
        return new SecretBox(resolveSecretKey(config.values, (message) => logger.warn(message)));
      },
    },
    SecondFactorService,
    EnrollmentService,
    MyTwoFactorService,
    TwoFactorSignInService,
    TwoFactorNotifier,
    StepUpService,
  ],
  exports: [
    StepUpService,
    SecondFactorService,
    TwoFactorStateModule,
    TwoFactorNotifier,
    // the web pages call the same services as the API
    MyTwoFactorService,
    TwoFactorSignInService,
  ],
})
export class EnrollmentModule {}
