import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ErrorBodyView, JSON_BODY_ERRORS } from '../common/api-errors';
import { Public } from '../common/auth.decorators';
import { SecurityReportDto, SecurityReportView } from './security-report.dto';
import { SecurityReportService } from './security-report.service';

/** "This wasn't me" for API clients; the page behind the mailed link posts to the same service. */
@ApiTags('security')
@Controller('api/security/report')
export class SecurityReportController {
  constructor(private readonly reports: SecurityReportService) {}

  @Public()
  @ApiOkResponse({ type: SecurityReportView })
  @ApiResponse({
    status: 404,
    type: ErrorBodyView,
    description: '`report_link_invalid`: no link has this token',
  })
  @ApiResponse({
    status: 409,
    type: ErrorBodyView,
    description: '`report_link_used`: the link was already used (a report is recorded once)',
  })
  @ApiResponse({
    status: 410,
    type: ErrorBodyView,
    description: '`report_link_expired`: the link is older than 30 days',
  })
  @ApiErrors(...JSON_BODY_ERRORS)
  @Post()
  @HttpCode(200)
  report(@Body() body: SecurityReportDto) {
    return this.reports.report(body.token);
  }
}
