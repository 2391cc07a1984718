import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { EnrollmentModule } from '../enrollment/enrollment.module';
import { EventsModule } from '../events/events.module';
import { SignInModule } from '../sign-in/sign-in.module';
import { OrganizationAdminController } from './organization-admin.controller';
import { OrganizationAdminService } from './organization-admin.service';
import { TwoFactorResetService } from './two-factor-reset.service';

/**
 * The organization's admin pages (settings, users, in-app 2FA reset with step-up), and THE reset
 * itself (TwoFactorResetService), exported for the support-recovery job.
 */
@Module({
  imports: [AccountsModule, AuditModule, EnrollmentModule, EventsModule, SignInModule],
  controllers: [OrganizationAdminController],
  providers: [OrganizationAdminService, TwoFactorResetService],
  exports: [TwoFactorResetService, OrganizationAdminService],
})
export class AdminResetModule {}
