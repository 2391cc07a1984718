import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { BillingImportService } from './billing-import.service';
import { BillingRepository } from './billing.repository';
import { DemoSeedService } from './demo-seed.service';
import { ProvisioningTokenGuard } from './provisioning-token.guard';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';

/** Billing records, the back office's provisioning API, the CSV import and the demo seed. */
@Module({
  imports: [AccountsModule, AuditModule],
  controllers: [ProvisioningController],
  providers: [
    BillingRepository,
    ProvisioningService,
    ProvisioningTokenGuard,
    BillingImportService,
    DemoSeedService,
  ],
  exports: [BillingRepository, ProvisioningService, BillingImportService, DemoSeedService],
})
export class BillingModule {}
