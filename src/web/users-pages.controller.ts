import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { OrganizationUserView } from '../admin-reset/organization-admin.dto';
import { OrganizationAdminService } from '../admin-reset/organization-admin.service';
import { CurrentUser } from '../common/auth.decorators';
import { PAGE_SIZE } from '../common/page-query.dto';
import { RecoveryDecisionService } from '../recovery/approval/recovery-decision.service';
import {
  ORGANIZATION_CANCELLABLE,
  RecoveryRequestsService,
} from '../recovery/approval/recovery-requests.service';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { TotpCodeDto } from '../enrollment/enrollment.dto';
import { FormContext, formValue, submitForm } from './form-errors';
import { ORGANIZATION_CANCEL_ERRORS, RESET_ERRORS } from './form-tables';
import { PAGE_ID, WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebNotFound } from './web-errors';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebRoles, WebSessionGuard } from './web-session.guard';

/**
 * Users (owner and admins): the members with their 2FA status, and "Reset 2FA token" with the
 * admin's own code as step-up; below them the organization's recovery requests, each with Cancel
 * while it awaits approval or waits out RECOVERY_DELAY_MINUTES. Who may reset or cancel whose is
 * decided by the services alone; the page only hides buttons that would certainly be refused.
 */
@WebController('users', WebSessionGuard, CsrfGuard)
@WebRoles('owner', 'admin')
export class UsersPagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly admin: OrganizationAdminService,
    private readonly recoveries: RecoveryRequestsService,
    private readonly decisions: RecoveryDecisionService,
  ) {}

  @Get()
  async list(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
    @Query('page') page?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    await this.renderUsers(request, response, actor, pageNumber(page), {
      cancelDone: done === 'cancelled',
    });
  }

  /** Cancel in the "Recovery requests" section: the API's POST /api/org/recovery-requests/:id/cancel. */
  @Post('recovery-requests/:id/cancel')
  async cancelRequest(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
    @Param('id', PAGE_ID) id: string,
  ): Promise<void> {
    await submitForm(() => this.decisions.cancelByOrganizationAdmin(id, actor), {
      table: ORGANIZATION_CANCEL_ERRORS,
      context: undefined,
      show: (state, status) =>
        this.renderUsers(request, response, actor, 1, { formError: state.formError }, status),
    });
    this.pages.redirect(response, '/users?done=cancelled#recovery-requests');
  }

  private async renderUsers(
    request: Request,
    response: Response,
    actor: AuthenticatedUser,
    page: number,
    data: { cancelDone?: boolean; formError?: string },
    status = 200,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const users = await this.admin.users(actor);
    const roles = new Map(users.map((member) => [member.id, member.role]));
    const listed = await this.recoveries.listForOrganization(actor, { page });
    const items = listed.items.map((item) => ({
      ...item,
      // an admin never acts on the owner (RecoveryDecisionService.cancelByOrganizationAdmin)
      cancellable:
        ORGANIZATION_CANCELLABLE.includes(item.status) &&
        !(actor.role === 'admin' && item.user !== null && roles.get(item.user.id) === 'owner'),
    }));
    await this.pages.render(
      request,
      response,
      'users',
      {
        title: t.users.title,
        users,
        requests: {
          items,
          total: listed.total,
          page,
          pages: Math.max(1, Math.ceil(listed.total / PAGE_SIZE)),
          pageHref: (n: number) => `/users?page=${n}#recovery-requests`,
        },
        cancelDone: data.cancelDone ?? false,
        formError: data.formError,
      },
      status,
    );
  }

  @Get(':id')
  async user(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
    @Param('id', PAGE_ID) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    await this.renderUser(request, response, actor, id, { resetDone: done === 'reset' });
  }

  @Post(':id/reset')
  async reset(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
    @Param('id', PAGE_ID) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form: FormContext<{ self: boolean }> = {
      table: RESET_ERRORS,
      context: { self: id === actor.id },
      show: (state, status) => this.renderUser(request, response, actor, id, state, status),
    };
    const fields = { code: t.fields.code };
    const { code } = await formValue(form, TotpCodeDto, body, fields);
    await submitForm(() => this.admin.resetTwoFactor(actor, id, code), form);
    this.pages.redirect(response, `/users/${id}?done=reset`);
  }

  private async renderUser(
    request: Request,
    response: Response,
    actor: AuthenticatedUser,
    id: string,
    data: { errors?: FieldErrors; formError?: string; resetDone?: boolean },
    status = 200,
  ): Promise<void> {
    const members = await this.admin.users(actor);
    const target = members.find((member: OrganizationUserView) => member.id === id);
    if (target === undefined) throw new WebNotFound();
    const own = members.find((member) => member.id === actor.id);
    await this.pages.render(
      request,
      response,
      'user',
      {
        title: target.name,
        target,
        needOwn2fa: own?.twoFactor.status !== 'active',
        errors: data.errors,
        formError: data.formError,
        resetDone: data.resetDone ?? false,
        languagePath: `/users/${id}`,
      },
      status,
    );
  }
}

/** `?page=` of the requests list: a whole number from 1, anything else is the first page. */
function pageNumber(raw: string | undefined): number {
  const page = raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, page);
}
