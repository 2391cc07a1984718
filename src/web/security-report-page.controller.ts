import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SecurityReportService } from '../security-report/security-report.service';
import { submitForm } from './form-errors';
import { REPORT_ERRORS } from './form-tables';
import { WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebPages } from './web-pages.service';

/**
 * The page behind the "this wasn't me" link. The GET only shows what happened and when (mail
 * scanners and link previews open links: a GET must never change anything); the one button
 * POSTs, and SecurityReportService.report records it. Request logs never carry the token
 * (loggedPath in src/common/logging.ts).
 */
@WebController('security', CsrfGuard)
export class SecurityReportPageController {
  constructor(
    private readonly pages: WebPages,
    private readonly reports: SecurityReportService,
  ) {}

  @Get('report/:token')
  async show(
    @Req() request: Request,
    @Res() response: Response,
    @Param('token') token: string,
  ): Promise<void> {
    await this.renderReport(request, response, token);
  }

  @Post('report/:token')
  async report(
    @Req() request: Request,
    @Res() response: Response,
    @Param('token') token: string,
  ): Promise<void> {
    const outcome = await submitForm(() => this.reports.report(token), {
      table: REPORT_ERRORS,
      context: undefined,
      show: (_state, status) => this.renderReport(request, response, token, status),
    });
    this.pages.redirect(
      response,
      `/security/reported?until=${encodeURIComponent(outcome.frozenUntil)}`,
    );
  }

  @Get('reported')
  async reported(
    @Req() request: Request,
    @Res() response: Response,
    @Query('until') until?: string,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    // only a date is ever shown from the query: anything else names no date at all
    const date = typeof until === 'string' && !Number.isNaN(Date.parse(until)) ? until : null;
    if (date === null) return this.pages.redirect(response, '/');
    await this.pages.render(request, response, 'securityReported', {
      title: t.report.doneTitle,
      until: new Date(date).toISOString(),
    });
  }

  private async renderReport(
    request: Request,
    response: Response,
    token: string,
    failedStatus?: number,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const link = await this.reports.preview(token);
    if (link === null) {
      const data = { title: t.report.closedTitle, formError: t.report.notFound };
      return this.pages.render(request, response, 'securityReport', data, 404);
    }
    const status = link.state === 'expired' ? 410 : 200;
    await this.pages.render(
      request,
      response,
      'securityReport',
      {
        title: link.state === 'open' ? t.report.title : t.report.closedTitle,
        link: {
          state: link.state,
          event: link.event,
          eventAt: link.eventAt.toISOString(),
          email: link.email,
        },
        action: `/security/report/${encodeURIComponent(token)}`,
      },
      failedStatus ?? status,
    );
  }
}
