import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AdminResetModule } from './admin-reset/admin-reset.module';
import { AuditModule } from './audit/audit.module';
import { BillingModule } from './billing/billing.module';
import { DomainErrorFilter } from './common/domain-error.filter';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { EventsModule } from './events/events.module';
import { EventsWorkerModule } from './events/events-worker.module';
import { loggerParams } from './common/logging';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/config.schema';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { MailWorkerModule } from './mail/mail-worker.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { AuthGuard } from './sign-in/auth.guard';
import { SignInModule } from './sign-in/sign-in.module';
import { InboundEmailWorkerModule } from './recovery/inbound-email/inbound-email-worker.module';
import { InboundEmailModule } from './recovery/inbound-email/inbound-email.module';
import { ImapIngressModule } from './recovery/inbound-email/imap-ingress.module';
import { ApprovalModule } from './recovery/approval/approval.module';
import { ApprovalWorkerModule } from './recovery/approval/approval-worker.module';
import { SecurityReportModule } from './security-report/security-report.module';
import { WebModule } from './web/web.module';

/** Feature modules present in every role (services, controllers, producers). */
const featureModules: Type[] = [
  AuditModule,
  AccountsModule,
  HealthModule,
  MetricsModule,
  BillingModule,
  EnrollmentModule,
  SignInModule,
  AdminResetModule,
  MailModule,
  EventsModule,
  InboundEmailModule,
  ImapIngressModule,
  ApprovalModule,
  SecurityReportModule,
  WebModule,
];

/** Queue processors and schedulers: loaded only when ROLES includes worker. */
const workerModules: Type[] = [
  MailWorkerModule,
  InboundEmailWorkerModule,
  ApprovalWorkerModule,
  EventsWorkerModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        QueueModule,
        ...featureModules,
        ...(config.roles.has('worker') ? workerModules : []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
