import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { PageQueryDto } from '../../common/page-query.dto';
import { OptionalTotpCode } from '../../enrollment/enrollment.dto';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  MAX_CANCEL_TOKEN_LENGTH,
  MAX_DECISION_TEXT_LENGTH,
  MAX_EMAIL_LENGTH,
  MIN_CANCEL_TOKEN_LENGTH,
} from '../../common/field-limits';
import { REQUEST_STATUSES } from './recovery-request.entity';
import type { RequestStatus } from './recovery-request.entity';

export class ListRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @ApiPropertyOptional({
    description: 'sender address, case-insensitive',
    maxLength: MAX_EMAIL_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EMAIL_LENGTH)
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

  @ApiPropertyOptional({ maxLength: MAX_DECISION_TEXT_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_DECISION_TEXT_LENGTH)
  note?: string;
}

export class DenyRequestDto {
  @OptionalTotpCode(DECISION_CODE)
  code?: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_DECISION_TEXT_LENGTH,
    description: 'sent to the requester',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_DECISION_TEXT_LENGTH)
  reason: string;
}

export class CancelRequestDto {
  @ApiProperty({ minLength: MIN_CANCEL_TOKEN_LENGTH, maxLength: MAX_CANCEL_TOKEN_LENGTH })
  @IsString()
  @MinLength(MIN_CANCEL_TOKEN_LENGTH)
  @MaxLength(MAX_CANCEL_TOKEN_LENGTH)
  token: string;
}

/** `GET /api/org/recovery-requests?status=&page=` */
export class OrganizationRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;
}

class OrganizationRequestUserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  email: string;
}

/** One request as an organization's owner and admins see it: no checks, evidence or excerpt. */
class OrganizationRequestView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: OrganizationRequestUserView, nullable: true })
  user: OrganizationRequestUserView | null;

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: RequestStatus;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    description: 'when an approved request is reset (after RECOVERY_DELAY_MINUTES)',
  })
  executesAt: string | null;
}

export class OrganizationRequestsView {
  @ApiProperty({ type: [OrganizationRequestView] })
  items: OrganizationRequestView[];

  @ApiProperty({ description: 'requests matching the filter, on every page' })
  total: number;

  @ApiProperty()
  page: number;

  @ApiProperty({ description: 'items per page' })
  pageSize: number;
}
