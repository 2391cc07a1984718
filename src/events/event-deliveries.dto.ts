import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';
import type { DeliveryStatus, SecurityEvent } from './security-event.entity';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from './security-event-body';

const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export class EventDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

/** One delivery as agents see it: what it is about and how it went, never the signing secret. */
export class EventDeliveryView {
  @ApiProperty({ format: 'uuid', description: 'the event id, also its webhook-id' })
  id: string;

  @ApiProperty({ enum: SECURITY_EVENT_TYPES })
  type: SecurityEventType;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  organizationId: string | null;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  requestId: string | null;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ description: 'attempts made so far, redeliveries included' })
  attempts: number;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastAttemptAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextAttemptAt: string | null;

  @ApiProperty({ nullable: true, type: Number, description: "the receiver's last HTTP status" })
  lastStatus: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'HTTP 500',
    description: 'a status, a timeout or a network error code',
  })
  lastError: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deliveredAt: string | null;
}

export class EventDeliveriesPageView {
  @ApiProperty({ type: [EventDeliveryView] })
  items: EventDeliveryView[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  page: number;

  @ApiProperty()
  pageSize: number;
}

export function eventDeliveryView(event: SecurityEvent): EventDeliveryView {
  const iso = (date: Date | null) => (date === null ? null : date.toISOString());
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    organizationId: event.organizationId,
    userId: event.userId,
    requestId: event.requestId,
    status: event.status,
    attempts: event.attempts,
    lastAttemptAt: iso(event.lastAttemptAt),
    nextAttemptAt: iso(event.nextAttemptAt),
    lastStatus: event.lastStatus,
    lastError: event.lastError,
    deliveredAt: iso(event.deliveredAt),
  };
}
