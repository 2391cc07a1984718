import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecurityReportLinks } from '../accounts/security-report-links.service';
import type { User } from '../accounts/user.entity';
import { AppConfigService } from '../config/app-config.service';
import { MailService } from '../mail/mail.service';

/**
 * The two-factor notifications, queued in the caller's transaction so the mail exists exactly
 * when the change it reports does. They carry no secret, code or recovery code: only what
 * happened, when, by whom, what to do next, and the "this wasn't me" link.
 */
@Injectable()
export class TwoFactorNotifier {
  constructor(
    private readonly mail: MailService,
    private readonly config: AppConfigService,
    private readonly reportLinks: SecurityReportLinks,
  ) {}

  /** "Two-factor authentication is now on" — if it was not you, the mail says whom to contact. */
  async enabled(user: User, tx: EntityManager): Promise<void> {
    const reportUrl = await this.reportLinks.issue(user, 'two_factor_enabled', new Date(), tx);
    await this.mail.enqueue(
      {
        template: 'two_factor_enabled',
        to: user.email,
        locale: user.locale,
        vars: { name: user.name, reportUrl },
        userId: user.id,
      },
      tx,
    );
  }

  /** Tells the member who reset their 2FA and when, and that the next sign-in sets it up again. */
  async resetByAdmin(
    target: User,
    admin: { name: string },
    resetAt: Date,
    tx: EntityManager,
  ): Promise<void> {
    const reportUrl = await this.reportLinks.issue(
      target,
      'two_factor_reset_by_admin',
      resetAt,
      tx,
    );
    await this.mail.enqueue(
      {
        template: 'two_factor_reset_by_admin',
        to: target.email,
        locale: target.locale,
        vars: {
          name: target.name,
          adminName: admin.name,
          resetAt: resetAt.toISOString(),
          signInUrl: `${this.config.get('publicUrl')}/login`,
          reportUrl,
        },
        userId: target.id,
      },
      tx,
    );
  }
}
