import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { PageQueryDto } from '../../common/page-query.dto';
import { OptionalTotpCode } from '../../enrollment/enrollment.dto';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { REQUEST_STATUSES } from './recovery-request.entity';
import type { RequestStatus } from './recovery-request.entity';

export class ListRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @ApiPropertyOptional({ description: 'sender address, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  sender?: string;
}

const DECISION_CODE =
  'a current code of your authenticator: needed when the session has not proved its second factor in the last 15 minutes (see POST /api/auth/step-up)';

export class ApproveRequestDto {
  @OptionalTotpCode(DECISION_CODE)
  code?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class DenyRequestDto {
  @OptionalTotpCode(DECISION_CODE)
  code?: string;

  @ApiProperty({ maxLength: 2000, description: 'sent to the requester' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class CancelRequestDto {
  @ApiProperty()
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token: string;
}
