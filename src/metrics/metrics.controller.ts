import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { METRICS_SCHEME } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { Public } from '../common/auth.decorators';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text format; no session (scrapers have none), METRICS_TOKEN when set. */
  @Public()
  @UseGuards(MetricsTokenGuard)
  @ApiErrors(401)
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(METRICS_SCHEME)
  @ApiOperation({
    summary: 'Prometheus metrics (text format 0.0.4)',
    description:
      'Open when METRICS_TOKEN is unset; otherwise Authorization: Bearer METRICS_TOKEN is ' +
      'required (401 not_authenticated without it). Families and labels: docs/operations.md.',
  })
  @ApiResponse({
    status: 200,
    description: 'the metrics',
    content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
  })
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const rendered = await this.metrics.render();
    response.type(rendered.contentType);
    return rendered.body;
  }
}
