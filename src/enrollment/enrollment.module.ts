import { Logger, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { AppConfigService } from '../config/app-config.service';
import { EventsModule } from '../events/events.module';
import { MailModule } from '../mail/mail.module';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentService } from './enrollment.service';
import { MeController } from './me.controller';
import { MeRepository } from './me.repository';
import { MeService } from './me.service';
import { MyTwoFactorService } from './my-two-factor.service';
import { SecondFactorService } from './second-factor.service';
import { SecretBox } from './secret-box';
import { SecretKeyCheck } from './secret-key-check';
import { SecretRotationService } from './secret-rotation.service';
import { resolveSecretKey } from './secret-key';
import { TwoFactorNotifier } from './two-factor-notifier';
import { TwoFactorRepository } from './two-factor.repository';

/**
 * The TOTP factor: enrollment (from the settings, and for sign-in's forced enrollment), recovery
 * codes, secrets sealed at rest, the replay guard and lock-outs; and the user's own account view
 * (/api/me and /api/me/2fa). The sign-in module (src/sign-in) builds on the exported services.
 */
@Module({
  imports: [AccountsModule, AuditModule, EventsModule, MailModule],
  controllers: [MeController, EnrollmentController],
  providers: [
    {
      provide: SecretBox,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logger = new Logger('SecretKey');
        const current = resolveSecretKey(config.values, (message) => logger.warn(message));
        const previous = config.get('secretKeysPrevious').map((key) => Buffer.from(key, 'base64'));
        return new SecretBox(current, previous);
      },
    },
    TwoFactorRepository,
    SecretKeyCheck,
    SecretRotationService,
    SecondFactorService,
    EnrollmentService,
    MyTwoFactorService,
    TwoFactorNotifier,
    MeRepository,
    MeService,
  ],
  exports: [
    TwoFactorRepository,
    SecretRotationService,
    SecondFactorService,
    EnrollmentService,
    TwoFactorNotifier,
    // the web pages call the same services as the API
    MyTwoFactorService,
    MeService,
  ],
})
export class EnrollmentModule {}
