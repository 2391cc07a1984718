import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth.decorators';
import { AuditQueryDto } from './audit.dto';
import { AuditService, ChainVerification } from './audit.service';

const PAGE_SIZE = 50;

@ApiTags('audit')
@ApiBearerAuth()
@Roles('agent')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query() query: AuditQueryDto) {
    const { items, total } = await this.audit.list({ ...query, pageSize: PAGE_SIZE });
    return { items, total, page: query.page, pageSize: PAGE_SIZE };
  }

  @Get('verify')
  verify(): Promise<ChainVerification> {
    return this.audit.verify();
  }
}
