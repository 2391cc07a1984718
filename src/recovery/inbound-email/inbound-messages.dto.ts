import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import type { InboundMessageState } from './inbound-message.entity';

export const INBOUND_STATES: InboundMessageState[] = ['stored', 'processed', 'ignored', 'failed'];

export class InboundMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INBOUND_STATES })
  @IsOptional()
  @IsIn(INBOUND_STATES)
  status?: InboundMessageState;
}
