import { Body, Controller, Get, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { MeService } from '../enrollment/me.service';
import { SignInService } from '../sign-in/sign-in.service';
import { CurrentUser, Public } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import type { DomainErrorCode } from '../common/domain-error';
import { StartEnrollmentDto, TotpCodeDto } from '../enrollment/enrollment.dto';
import { MyTwoFactorService } from '../enrollment/my-two-factor.service';
import type { Messages } from './i18n/locale';
import { enrollmentView, recoveryCodesPage, retryMinutes } from './two-factor-pages';
import { WebCookies } from './web-cookies';
import { CsrfGuard } from './web-csrf';
import { WebExceptionFilter } from './web-exception.filter';
import { validateForm } from './web-form';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebSessionGuard } from './web-session.guard';

/** Settings → "Two-factor authentication", for every signed-in user; and signing out. */
@ApiExcludeController()
@Public()
@Controller()
@UseFilters(WebExceptionFilter)
@UseGuards(WebSessionGuard, CsrfGuard)
export class SettingsPagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly cookies: WebCookies,
    private readonly me: MeService,
    private readonly mine: MyTwoFactorService,
    private readonly signIn: SignInService,
  ) {}

  @Get('settings')
  async settings(@Req() request: Request, @Res() response: Response): Promise<void> {
    await this.renderSettings(request, response);
  }

  /** "Enable two-factor authentication" (or, with a current code, move to a new phone). */
  @Post('settings/2fa/enrollment')
  async start(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = await validateForm(StartEnrollmentDto, body, { code: t.fields.code });
    if (!form.ok) return this.renderSettings(request, response, { move: form.errors.code }, 400);
    const moving = form.value.code !== undefined;
    try {
      const enrollment = await this.mine.startEnrollment(user.id, form.value.code);
      await this.pages.render(request, response, 'enrollScan', {
        ...scanPage(t, moving),
        ...enrollmentView(enrollment),
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const shown = this.settingsError(error, t, response, 'move');
      if (shown === undefined) throw error;
      await this.renderSettings(request, response, shown.errors, shown.status, shown.formError);
    }
  }

  @Post('settings/2fa/enrollment/confirm')
  async confirm(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const page = scanPage(t, false);
    const form = await validateForm(TotpCodeDto, body, { code: t.fields.code });
    if (!form.ok) {
      return this.pages.render(
        request,
        response,
        'enrollScan',
        { ...page, errors: form.errors },
        400,
      );
    }
    try {
      const { recoveryCodes } = await this.mine.confirmEnrollment(user, form.value.code);
      await this.pages.render(request, response, 'recoveryCodes', {
        ...recoveryCodesPage(t, recoveryCodes, t.twoFactor.recoveryCodesTitle, '/settings'),
        enabledTitle: t.twoFactor.enabledTitle,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'invalid_enrollment_code') {
        const data = { ...page, errors: { code: t.twoFactor.wrongCode } };
        return this.pages.render(request, response, 'enrollScan', data, 400);
      }
      if (error.code === 'no_pending_enrollment') {
        return this.renderSettings(request, response, {}, 409, t.twoFactor.noPending);
      }
      throw error;
    }
  }

  @Post('settings/2fa/recovery-codes')
  async regenerate(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = await validateForm(TotpCodeDto, body, { code: t.fields.code });
    if (!form.ok) {
      return this.renderSettings(request, response, { regenerate: form.errors.code }, 400);
    }
    try {
      const { recoveryCodes } = await this.mine.regenerateRecoveryCodes(user.id, form.value.code);
      await this.pages.render(
        request,
        response,
        'recoveryCodes',
        recoveryCodesPage(t, recoveryCodes, t.twoFactor.newCodesTitle, '/settings'),
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const shown = this.settingsError(error, t, response, 'regenerate');
      if (shown === undefined) throw error;
      await this.renderSettings(request, response, shown.errors, shown.status, shown.formError);
    }
  }

  @Post('logout')
  async logout(@Res() response: Response, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.signIn.logout(user.sessionId, user.id);
    this.cookies.clearSession(response);
    this.pages.redirect(response, '/login?signedout=1');
  }

  private async renderSettings(
    request: Request,
    response: Response,
    errors: FieldErrors = {},
    status = 200,
    formError?: string,
  ): Promise<void> {
    const user = (request as Request & { user: AuthenticatedUser }).user;
    const { t } = await this.pages.viewer(request);
    const me = await this.me.view(user.id);
    await this.pages.render(
      request,
      response,
      'settings',
      { title: t.twoFactor.title, me, errors, formError },
      status,
    );
  }

  /** Which settings field a failed code belongs to, in the user's words. */
  private settingsError(
    error: DomainError,
    t: Messages,
    response: Response,
    field: 'move' | 'regenerate',
  ): SettingsError | undefined {
    // only the refusals this page explains; anything else goes to the error page
    const shown: Partial<Record<DomainErrorCode, () => SettingsError>> = {
      step_up_failed: () => ({ errors: { [field]: t.twoFactor.stepUpFailed }, status: 403 }),
      two_factor_locked: () => ({
        errors: {},
        status: 429,
        formError: t.twoFactor.locked(retryMinutes(error, response)),
      }),
      two_factor_already_active: () => ({
        errors: {},
        status: 409,
        formError: t.twoFactor.alreadyActive,
      }),
      two_factor_not_enrolled: () => ({
        errors: {},
        status: 409,
        formError: t.twoFactor.noPending,
      }),
    };
    return shown[error.code]?.();
  }
}

interface SettingsError {
  errors: FieldErrors;
  status: number;
  formError?: string;
}

function scanPage(t: Messages, moving: boolean) {
  return {
    title: t.twoFactor.scanTitle,
    heading: t.twoFactor.scanTitle,
    action: '/settings/2fa/enrollment/confirm',
    // moving needs a current code again: start over from the settings page instead
    restart: moving ? undefined : '/settings/2fa/enrollment',
    back: '/settings',
    languagePath: '/settings',
  };
}
