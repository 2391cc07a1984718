import { Body, Get, Param, ParseEnumPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { StepUpService } from '../sign-in/step-up.service';
import { ListRequestsQueryDto } from '../recovery/approval/recovery-request.dto';
import type { RequestStatus } from '../recovery/approval/recovery-request.entity';
import { RecoveryRequestsService } from '../recovery/approval/recovery-requests.service';
import {
  InboundMessagesQueryDto,
  INBOUND_STATES,
} from '../recovery/inbound-email/inbound-messages.dto';
import { InboundMessagesService } from '../recovery/inbound-email/inbound-messages.service';
import { AgentRequestPage } from './agent-request-page';
import { FormContext, FormState, formValue, submitForm } from './form-errors';
import { DECISION_ERRORS } from './form-tables';
import { PAGE_ID, WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebRedirect } from './web-errors';
import { textField, validateForm } from './web-form';
import { ApproveDecisionForm, DenyDecisionForm } from './web-forms.dto';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebRoles, WebSessionGuard } from './web-session.guard';

type Decision = 'approve' | 'deny';

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
 * API's; a practitioner or admin who opens these pages gets the forbidden page.
 */
@WebController('agent', WebSessionGuard, CsrfGuard)
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
    @Param('id', PAGE_ID) id: string,
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

  /** Approve or deny (`POST /agent/requests/:id/approve|deny`): the two forms of one decision. */
  @Post('requests/:id/:decision')
  async decide(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() agent: AuthenticatedUser,
    @Param('id', PAGE_ID) id: string,
    @Param('decision', new ParseEnumPipe(['approve', 'deny'])) decision: 'approve' | 'deny',
    @Body() body: unknown,
  ): Promise<void> {
    const form = this.decisionForm(request, response, agent, id, body, decision);
    if (decision === 'approve') {
      const fields = await this.decisionFields(request, 'note');
      const { note, code } = await formValue(
        form,
        ApproveDecisionForm,
        withoutEmptyCode(body),
        fields,
      );
      const approval = { note: note?.trim() === '' ? undefined : note, code };
      await submitForm(() => this.requests.approve(id, agent, approval), form);
    } else {
      const fields = await this.decisionFields(request, 'reason');
      const denial = await formValue(form, DenyDecisionForm, withoutEmptyCode(body), fields);
      await submitForm(() => this.requests.deny(id, agent, denial), form);
    }
    const done = decision === 'approve' ? 'approved' : 'denied';
    this.pages.redirect(response, `/agent/requests/${id}?done=${done}`);
  }

  /** The messages of a decision form's fields: its own text box, the box to tick, the code. */
  private async decisionFields(request: Request, own: 'note' | 'reason') {
    const { t } = await this.pages.viewer(request);
    const { confirm, code, unknownField } = t.fields;
    return { [own]: t.fields[own], confirm, code, _form: unknownField };
  }

  /**
   * A decision form shown again on the request's page: its text box kept, its messages under
   * its own names (both forms have a box to tick and a code field), the code field shown when
   * the code was the problem.
   */
  private decisionForm(
    request: Request,
    response: Response,
    agent: AuthenticatedUser,
    id: string,
    body: unknown,
    kind: Decision,
  ): FormContext<{ currentStatus: () => Promise<RequestStatus> }> {
    const own = kind === 'approve' ? 'note' : 'reason';
    const values = { [own]: textField(body, own) };
    return {
      table: DECISION_ERRORS,
      context: { currentStatus: async () => (await this.requests.detail(id)).status },
      show: ({ errors, formError }: FormState, status: number) => {
        const shown = prefixDecisionFields(errors, kind);
        const askCode = shown[`${kind}Code`] !== undefined || undefined;
        const extra = { errors: shown, formError, values, askCode };
        return this.renderRequest(request, response, agent, id, extra, status);
      },
    };
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
function prefixDecisionFields(errors: FieldErrors, kind: Decision): FieldErrors {
  const renamed: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const own = field === 'confirm' || field === 'code';
    renamed[own ? `${kind}${field.charAt(0).toUpperCase()}${field.slice(1)}` : field] = message;
  }
  return renamed;
}
