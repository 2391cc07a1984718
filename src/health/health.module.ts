import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ImapIngressModule } from '../recovery/inbound-email/imap-ingress.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ImapIngressModule],
  controllers: [HealthController],
})
export class HealthModule {}
