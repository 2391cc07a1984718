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
import type { OrganizationUserView } from '../admin-reset/organization-admin.dto';
import { OrganizationAdminService } from '../admin-reset/organization-admin.service';
import { CurrentUser, Public } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import type { DomainErrorCode } from '../common/domain-error';
import { TotpCodeDto } from '../enrollment/enrollment.dto';
import type { Messages } from './i18n/locale';
import { retryMinutes } from './two-factor-pages';
import { CsrfGuard } from './web-csrf';
import { WebNotFound } from './web-errors';
import { WebExceptionFilter } from './web-exception.filter';
import { validateForm } from './web-form';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebRoles, WebSessionGuard } from './web-session.guard';

/** A malformed id names no user: the 404 page, as for any unknown user. */
const USER_ID = new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.NOT_FOUND });

/**
 * Users (owner and admins): the members with their 2FA status, and "Reset 2FA token" with the
 * admin's own code as step-up. Who may reset whom is decided by OrganizationAdminService alone;
 * the page only hides buttons that would certainly be refused.
 */
@ApiExcludeController()
@Public()
@Controller('users')
@UseFilters(WebExceptionFilter)
@UseGuards(WebSessionGuard, CsrfGuard)
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
    @Param('id', USER_ID) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    await this.renderUser(request, response, actor, id, { resetDone: done === 'reset' });
  }

  @Post(':id/reset')
  async reset(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() actor: AuthenticatedUser,
    @Param('id', USER_ID) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = await validateForm(TotpCodeDto, body, { code: t.fields.code });
    if (!form.ok)
      return this.renderUser(request, response, actor, id, { errors: form.errors }, 400);
    try {
      await this.admin.resetTwoFactor(actor, id, form.value.code);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const shown = resetError(error, t, response, id === actor.id);
      if (shown === undefined) throw error;
      return this.renderUser(request, response, actor, id, shown, shown.status);
    }
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

interface ResetError {
  status: number;
  errors?: FieldErrors;
  formError?: string;
}

function resetError(
  error: DomainError,
  t: Messages,
  response: Response,
  self: boolean,
): ResetError | undefined {
  // only the refusals this page explains; anything else goes to the error page
  const shown: Partial<Record<DomainErrorCode, () => ResetError>> = {
    step_up_failed: () => ({ status: 403, errors: { code: t.twoFactor.stepUpFailed } }),
    step_up_unavailable: () => ({ status: 403, formError: t.users.needOwn2fa }),
    two_factor_locked: () => ({
      status: 429,
      formError: t.twoFactor.locked(retryMinutes(error, response)),
    }),
    two_factor_not_enrolled: () => ({ status: 409, formError: t.users.noFactor }),
    forbidden: () => ({
      status: 403,
      formError: self ? t.users.cannotResetSelf : t.users.cannotResetOwner,
    }),
  };
  return shown[error.code]?.();
}
