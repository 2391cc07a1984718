import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { OrganizationUserView } from '../admin-reset/organization-admin.dto';
import { OrganizationAdminService } from '../admin-reset/organization-admin.service';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { TotpCodeDto } from '../enrollment/enrollment.dto';
import { FormContext, formValue, submitForm } from './form-errors';
import { RESET_ERRORS } from './form-tables';
import { PAGE_ID, WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebNotFound } from './web-errors';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebRoles, WebSessionGuard } from './web-session.guard';

/**
 * Users (owner and admins): the members with their 2FA status, and "Reset 2FA token" with the
 * admin's own code as step-up. Who may reset whom is decided by OrganizationAdminService alone;
 * the page only hides buttons that would certainly be refused.
 */
@WebController('users', WebSessionGuard, CsrfGuard)
@WebRoles('owner', 'admin')
export class UsersPagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly admin: OrganizationAdminService,
  ) {}

  @Get()
  async list(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const users = await this.admin.users(actor);
    await this.pages.render(request, response, 'users', { title: t.users.title, users });
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
