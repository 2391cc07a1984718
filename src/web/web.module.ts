import { Logger, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { hkdfSync } from 'node:crypto';
import { AccountsModule } from '../accounts/accounts.module';
import { AdminResetModule } from '../admin-reset/admin-reset.module';
import { AuditModule } from '../audit/audit.module';
import { AppConfigService } from '../config/app-config.service';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { resolveSecretKey } from '../enrollment/secret-key';
import { ApprovalModule } from '../recovery/approval/approval.module';
import { InboundEmailModule } from '../recovery/inbound-email/inbound-email.module';
import { SignInModule } from '../sign-in/sign-in.module';
import { AgentPagesController } from './agent-pages.controller';
import { AgentRequestPage } from './agent-request-page';
import { CancelPageController } from './cancel-page.controller';
import { HomePagesController } from './home-pages.controller';
import { LanguageSwitchMiddleware } from './language-switch.middleware';
import { SecurityReportModule } from '../security-report/security-report.module';
import { SecurityReportPageController } from './security-report-page.controller';
import { SettingsPagesController } from './settings-pages.controller';
import { SignInPagesController } from './sign-in-pages.controller';
import { UsersPagesController } from './users-pages.controller';
import { WebCookies } from './web-cookies';
import { CsrfGuard, CSRF_SECRET, WebCsrf } from './web-csrf';
import { WebExceptionFilter } from './web-exception.filter';
import { WebPages } from './web-pages.service';
import { WebSessionGuard } from './web-session.guard';

const pageControllers = [
  HomePagesController,
  SignInPagesController,
  SettingsPagesController,
  UsersPagesController,
  AgentPagesController,
  CancelPageController,
  SecurityReportPageController,
];

/**
 * Server-rendered pages for people: sign-in with 2FA, two-factor settings, the users page, the
 * agent console and the cancel page. A thin shell over the same services as the JSON API.
 */
@Module({
  imports: [
    AccountsModule,
    AuditModule,
    EnrollmentModule,
    SignInModule,
    AdminResetModule,
    ApprovalModule,
    InboundEmailModule,
    SecurityReportModule,
  ],
  controllers: pageControllers,
  providers: [
    {
      // Derived from SECRET_KEY (a separate key by HKDF's info string), so every instance of a
      // scaled-out deployment accepts the others' tokens and a restart does not void open forms.
      provide: CSRF_SECRET,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const logger = new Logger('SecretKey');
        const key = resolveSecretKey(config.values, (message) => logger.debug(message));
        return Buffer.from(hkdfSync('sha256', key, '', 'recovery-desk web csrf', 32)).toString(
          'hex',
        );
      },
    },
    WebCookies,
    WebCsrf,
    CsrfGuard,
    WebSessionGuard,
    WebPages,
    WebExceptionFilter,
    AgentRequestPage,
  ],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LanguageSwitchMiddleware).forRoutes(...pageControllers);
  }
}
