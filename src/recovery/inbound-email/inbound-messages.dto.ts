import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { InboundMessageState } from './inbound-message.entity';

export const INBOUND_STATES: InboundMessageState[] = ['stored', 'processed', 'ignored', 'failed'];

export class InboundMessagesQueryDto {
  @ApiPropertyOptional({ enum: INBOUND_STATES })
  @IsOptional()
  @IsIn(INBOUND_STATES)
  status?: InboundMessageState;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  page: number = 1;
}
