import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors';
import { Roles } from '../common/auth.decorators';
import { PAGE_SIZE } from '../common/page-query.dto';
import {
  EventDeliveriesPageView,
  EventDeliveriesQueryDto,
  eventDeliveryView,
} from './event-deliveries.dto';
import { SecurityEventService } from './security-event.service';

@ApiTags('events')
@ApiBearerAuth()
@Roles('agent')
@ApiErrors(401, 403)
@Controller('api/events')
export class EventDeliveriesController {
  constructor(private readonly events: SecurityEventService) {}

  /** Security-event deliveries, newest first, with their attempts and last error. */
  @ApiOkResponse({ type: EventDeliveriesPageView })
  @ApiErrors(400)
  @Get('deliveries')
  async list(@Query() query: EventDeliveriesQueryDto): Promise<EventDeliveriesPageView> {
    const { items, total } = await this.events.deliveries({
      status: query.status,
      page: query.page,
      pageSize: PAGE_SIZE,
    });
    return { items: items.map(eventDeliveryView), total, page: query.page, pageSize: PAGE_SIZE };
  }
}
