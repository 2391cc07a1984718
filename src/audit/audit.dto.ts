import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';

export class AuditQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  userId?: string;

  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
