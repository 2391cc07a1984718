import { Module } from '@nestjs/common';
import { AuditSequencer } from './audit-sequencer';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AuditSequencer],
  exports: [AuditService, AuditSequencer],
})
export class AuditModule {}
