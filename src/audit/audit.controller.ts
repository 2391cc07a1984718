import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors';
import { Roles } from '../common/auth.decorators';
import { PAGE_SIZE } from '../common/page-query.dto';
import { AuditQueryDto } from './audit.dto';
import { AuditService, ChainVerification } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('agent')
@ApiErrors(401, 403)
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiErrors(400)
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
