import {
  Body,
  Controller,
  Get,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Public } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import { ListRequestsQueryDto } from '../recovery/approval/recovery-request.dto';
import { RecoveryDecisionService } from '../recovery/approval/recovery-decision.service';
import { RecoveryRequestsService } from '../recovery/approval/recovery-requests.service';
import {
  InboundMessagesQueryDto,
  INBOUND_STATES,
} from '../recovery/inbound-email/inbound-messages.dto';
import { InboundMessagesService } from '../recovery/inbound-email/inbound-messages.service';
import { AgentRequestPage } from './agent-request-page';
import { CsrfGuard } from './web-csrf';
import { WebRedirect } from './web-errors';
import { WebExceptionFilter } from './web-exception.filter';
import { textField, validateForm } from './web-form';
import { ApproveDecisionForm, DenyDecisionForm } from './web-forms.dto';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebRoles, WebSessionGuard } from './web-session.guard';

const REQUEST_ID = new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.NOT_FOUND });

/** Query strings hold strings; an absent or empty filter is no filter. */
function queryText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function pageHref(base: string, query: Record<string, string | undefined>) {
  return (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) params.set(key, value);
    params.set('page', String(page));
    return `${base}?${params.toString()}`;
  };
}

/**
 * The agent console: the queue (open requests oldest first, counts per status, filters), one
 * request with its checks, risk signals, masked excerpt, approvals, decision forms and audit
 * trail, and the inbound messages. Decisions go through RecoveryDecisionService, exactly as the
 * API's; a practitioner or admin who opens these pages gets the 403 page.
 */
@ApiExcludeController()
@Public()
@Controller('agent')
@UseFilters(WebExceptionFilter)
@UseGuards(WebSessionGuard, CsrfGuard)
@WebRoles('agent')
export class AgentPagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly requests: RecoveryRequestsService,
    private readonly decisions: RecoveryDecisionService,
    private readonly inbound: InboundMessagesService,
    private readonly requestPage: AgentRequestPage,
  ) {}

  @Get()
  home(): never {
    throw new WebRedirect('/agent/requests');
  }

  @Get('requests')
  async queue(
    @Req() request: Request,
    @Res() response: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    // the queue opens on the requests that wait for an agent
    const status = queryText(query.status) ?? 'awaiting_approval';
    const sender = queryText(query.sender);
    const form = await validateForm(
      ListRequestsQueryDto,
      { status: status === 'all' ? undefined : status, sender, page: queryText(query.page) },
      { status: t.fields.status, sender: t.fields.sender, page: t.fields.page },
    );
    const counts = await this.requests.statusCounts();
    const filter = { status, sender };
    const common = {
      title: t.agent.queueTitle,
      counts,
      allCount: counts.reduce((sum, entry) => sum + entry.count, 0),
      filter,
    };
    if (!form.ok) {
      const data = { ...common, errors: form.errors, items: [], total: 0, page: 1, pages: 0 };
      return this.pages.render(request, response, 'agentQueue', data, 400);
    }
    const order = form.value.status === 'awaiting_approval' ? 'oldest' : 'newest';
    const list = await this.requests.list(form.value, order);
    await this.pages.render(request, response, 'agentQueue', {
      ...common,
      items: list.items,
      total: list.total,
      page: list.page,
      pages: Math.ceil(list.total / list.pageSize),
      pageHref: pageHref('/agent/requests', filter),
    });
  }

  @Get('requests/:id')
  async detail(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() agent: AuthenticatedUser,
    @Param('id', REQUEST_ID) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const notice =
      done === 'approved'
        ? t.agent.approvedDone
        : done === 'denied'
          ? t.agent.deniedDone
          : undefined;
    await this.renderRequest(request, response, agent, id, { notice });
  }

  @Post('requests/:id/approve')
  async approve(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() agent: AuthenticatedUser,
    @Param('id', REQUEST_ID) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = await validateForm(ApproveDecisionForm, body, {
      note: t.fields.note,
      confirm: t.fields.confirm,
      _form: t.fields.unknownField,
    });
    const values = { note: textField(body, 'note') };
    if (!form.ok) {
      const errors = renameConfirm(form.errors, 'approveConfirm');
      return this.renderRequest(request, response, agent, id, { errors, values }, 400);
    }
    const note = form.value.note?.trim() === '' ? undefined : form.value.note;
    try {
      await this.decisions.approve(id, agent.id, note);
    } catch (error) {
      return this.decisionFailed(request, response, agent, id, error, values);
    }
    this.pages.redirect(response, `/agent/requests/${id}?done=approved`);
  }

  @Post('requests/:id/deny')
  async deny(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() agent: AuthenticatedUser,
    @Param('id', REQUEST_ID) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = await validateForm(DenyDecisionForm, body, {
      reason: t.fields.reason,
      confirm: t.fields.confirm,
      _form: t.fields.unknownField,
    });
    const values = { reason: textField(body, 'reason') };
    if (!form.ok) {
      const errors = renameConfirm(form.errors, 'denyConfirm');
      return this.renderRequest(request, response, agent, id, { errors, values }, 400);
    }
    try {
      await this.decisions.deny(id, agent.id, form.value.reason);
    } catch (error) {
      return this.decisionFailed(request, response, agent, id, error, values);
    }
    this.pages.redirect(response, `/agent/requests/${id}?done=denied`);
  }

  @Get('messages')
  async messages(
    @Req() request: Request,
    @Res() response: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const status = queryText(query.status);
    const form = await validateForm(
      InboundMessagesQueryDto,
      { status, page: queryText(query.page) },
      { status: t.fields.status, page: t.fields.page },
    );
    const common = { title: t.agent.inboundTitle, states: INBOUND_STATES, filter: { status } };
    if (!form.ok) {
      const data = { ...common, formError: Object.values(form.errors).join(' '), items: [] };
      return this.pages.render(request, response, 'agentInbound', { ...data, total: 0 }, 400);
    }
    const list = await this.inbound.list(form.value.status, form.value.page);
    await this.pages.render(request, response, 'agentInbound', {
      ...common,
      items: list.items,
      total: list.total,
      page: list.page,
      pages: Math.ceil(list.total / list.pageSize),
      pageHref: pageHref('/agent/messages', { status }),
    });
  }

  private async decisionFailed(
    request: Request,
    response: Response,
    agent: AuthenticatedUser,
    id: string,
    error: unknown,
    values: Record<string, string | undefined>,
  ): Promise<void> {
    if (!(error instanceof DomainError)) throw error;
    const { t } = await this.pages.viewer(request);
    if (error.code === 'already_approved') {
      const data = { formError: t.agent.alreadyApproved, values };
      return this.renderRequest(request, response, agent, id, data, 409);
    }
    if (error.code === 'request_not_open') {
      const current = await this.requests.detail(id);
      const data = { formError: t.agent.notOpen(t.requestStatus[current.status]), values };
      return this.renderRequest(request, response, agent, id, data, 409);
    }
    throw error;
  }

  private async renderRequest(
    request: Request,
    response: Response,
    agent: AuthenticatedUser,
    id: string,
    extra: { errors?: FieldErrors; formError?: string; notice?: string; values?: object },
    status = 200,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const data = await this.requestPage.build(id, agent.id, t);
    await this.pages.render(
      request,
      response,
      'agentRequest',
      { ...data, ...extra, values: extra.values ?? {}, languagePath: `/agent/requests/${id}` },
      status,
    );
  }
}

/** Both decision forms have a "confirm" box; each shows its own error. */
function renameConfirm(errors: FieldErrors, name: string): FieldErrors {
  const { confirm, ...rest } = errors;
  return confirm === undefined ? rest : { ...rest, [name]: confirm };
}
