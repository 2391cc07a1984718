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
import type { ClassConstructor } from 'class-transformer';
import type { Request, Response } from 'express';
import { CurrentUser, Public } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError, DomainErrorCode } from '../common/domain-error';
import { statusForCode } from '../common/domain-error.filter';
import { StepUpService } from '../sign-in/step-up.service';
import { ListRequestsQueryDto } from '../recovery/approval/recovery-request.dto';
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
import type { Messages } from './i18n/locale';
import { retryMinutes } from './two-factor-pages';
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
    private readonly inbound: InboundMessagesService,
    private readonly requestPage: AgentRequestPage,
    private readonly stepUp: StepUpService,
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
    await this.decide(request, response, agent, id, body, {
      kind: 'approve',
      form: ApproveDecisionForm,
      textField: 'note',
      run: (form) => {
        const note = form.note?.trim() === '' ? undefined : form.note;
        return this.requests.approve(id, agent, { note, code: form.code });
      },
    });
  }

  @Post('requests/:id/deny')
  async deny(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() agent: AuthenticatedUser,
    @Param('id', REQUEST_ID) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.decide(request, response, agent, id, body, {
      kind: 'deny',
      form: DenyDecisionForm,
      textField: 'reason',
      run: (form) => this.requests.deny(id, agent, form),
    });
  }

  /** Both decisions: the form's errors, then the decision, then its refusals, all on the page. */
  private async decide<T extends { code?: string }>(
    request: Request,
    response: Response,
    agent: AuthenticatedUser,
    id: string,
    body: unknown,
    decision: {
      kind: 'approve' | 'deny';
      form: ClassConstructor<T>;
      /** the form's own text box, kept when the page is shown again */
      textField: 'note' | 'reason';
      run: (form: T) => Promise<unknown>;
    },
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const { kind } = decision;
    const own = decision.textField;
    const form = await validateForm(decision.form, withoutEmptyCode(body), {
      [own]: t.fields[own],
      confirm: t.fields.confirm,
      code: t.fields.code,
      _form: t.fields.unknownField,
    });
    const values = { [own]: textField(body, own) };
    if (!form.ok) {
      const errors = prefixDecisionFields(form.errors, kind);
      const extra = { errors, values, askCode: errors[`${kind}Code`] !== undefined || undefined };
      return this.renderRequest(request, response, agent, id, extra, 400);
    }
    try {
      await decision.run(form.value);
    } catch (error) {
      return this.decisionFailed(request, response, agent, id, error, { kind, values });
    }
    const done = kind === 'approve' ? 'approved' : 'denied';
    this.pages.redirect(response, `/agent/requests/${id}?done=${done}`);
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
    const ids = list.items.flatMap((item) => (item.requestId === null ? [] : [item.requestId]));
    const statuses = await this.requests.statusesOf(ids);
    await this.pages.render(request, response, 'agentInbound', {
      ...common,
      // the request's status now, not the decision the message got when it was processed
      items: list.items.map((item) => ({
        ...item,
        requestStatus: item.requestId === null ? undefined : statuses.get(item.requestId),
      })),
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
    form: { kind: 'approve' | 'deny'; values: Record<string, string | undefined> },
  ): Promise<void> {
    if (!(error instanceof DomainError)) throw error;
    const { t } = await this.pages.viewer(request);
    const shown = await this.decisionRefusal(error, t, response, form.kind, id);
    if (shown === undefined) throw error;
    const data = { ...shown.data, values: form.values };
    return this.renderRequest(request, response, agent, id, data, statusForCode(error.code));
  }

  /** The refusals this page explains; anything else goes to the error page. */
  private async decisionRefusal(
    error: DomainError,
    t: Messages,
    response: Response,
    kind: 'approve' | 'deny',
    id: string,
  ): Promise<{ data: RequestPageExtra } | undefined> {
    const codeError = (message: string) => ({
      data: { errors: { [`${kind}Code`]: message }, askCode: true },
    });
    const shown: Partial<Record<DomainErrorCode, () => Promise<{ data: RequestPageExtra }>>> = {
      step_up_required: async () => codeError(t.agent.stepUpNeeded),
      invalid_code: async () => codeError(t.twoFactor.stepUpFailed),
      two_factor_locked: async () => ({
        data: { formError: t.twoFactor.locked(retryMinutes(error, response)) },
      }),
      already_approved: async () => ({ data: { formError: t.agent.alreadyApproved } }),
      request_not_open: async () => {
        const current = await this.requests.detail(id);
        return { data: { formError: t.agent.notOpen(t.requestStatus[current.status]) } };
      },
    };
    return shown[error.code]?.();
  }

  private async renderRequest(
    request: Request,
    response: Response,
    agent: AuthenticatedUser,
    id: string,
    extra: RequestPageExtra,
    status = 200,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const data = await this.requestPage.build(id, agent.id, t);
    // the decision forms ask for a code once this session's last one is too old to count
    const askCode = extra.askCode ?? !(await this.stepUp.isFresh(agent));
    await this.pages.render(
      request,
      response,
      'agentRequest',
      {
        ...data,
        ...extra,
        askCode,
        values: extra.values ?? {},
        languagePath: `/agent/requests/${id}`,
      },
      status,
    );
  }
}

interface RequestPageExtra {
  errors?: FieldErrors;
  formError?: string;
  notice?: string;
  values?: object;
  /** show the code field on the decision forms (else: only when the step-up is stale) */
  askCode?: boolean;
}

/** An empty code box means "no code": the session's recent step-up may still count. */
function withoutEmptyCode(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const { code, ...rest } = body as Record<string, unknown>;
  return typeof code === 'string' && code.trim() === '' ? rest : body;
}

/** Both decision forms have a "confirm" box and a code field; each shows its own errors. */
function prefixDecisionFields(errors: FieldErrors, kind: 'approve' | 'deny'): FieldErrors {
  const renamed: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const own = field === 'confirm' || field === 'code';
    renamed[own ? `${kind}${field.charAt(0).toUpperCase()}${field.slice(1)}` : field] = message;
  }
  return renamed;
}
