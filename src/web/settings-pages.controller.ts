import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MeService } from '../enrollment/me.service';
import { SignInService } from '../sign-in/sign-in.service';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { StartEnrollmentDto, TotpCodeDto } from '../enrollment/enrollment.dto';
import { MyTwoFactorService } from '../enrollment/my-two-factor.service';
import { FormContext, FormState, formValue, submitForm } from './form-errors';
import { SETTINGS_CODE_ERRORS, SETTINGS_CONFIRM_ERRORS } from './form-tables';
import type { Messages } from './i18n/locale';
import { enrollmentView, recoveryCodesPage } from './two-factor-pages';
import { WebCookies } from './web-cookies';
import { WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { FieldErrors, WebPages } from './web-pages.service';
import { WebSessionGuard } from './web-session.guard';

/** Settings → "Two-factor authentication", for every signed-in user; and signing out. */
@WebController('', WebSessionGuard, CsrfGuard)
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
    const form = this.settingsForm(request, response, 'move');
    const fields = { code: t.fields.code };
    const { code } = await formValue(form, StartEnrollmentDto, body, fields);
    const enrollment = await submitForm(() => this.mine.startEnrollment(user.id, code), form);
    await this.pages.render(request, response, 'enrollScan', {
      ...scanPage(t, code !== undefined),
      ...enrollmentView(enrollment),
    });
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
    const form: FormContext = {
      table: SETTINGS_CONFIRM_ERRORS,
      context: undefined,
      show: (state, status) =>
        this.pages.render(request, response, 'enrollScan', { ...page, ...state }, status),
      start: (state, status) => this.renderSettings(request, response, {}, status, state.formError),
    };
    const fields = { code: t.fields.code };
    const { code } = await formValue(form, TotpCodeDto, body, fields);
    const { recoveryCodes } = await submitForm(() => this.mine.confirmEnrollment(user, code), form);
    await this.pages.render(request, response, 'recoveryCodes', {
      ...recoveryCodesPage(t, recoveryCodes, t.twoFactor.recoveryCodesTitle, '/settings'),
      enabledTitle: t.twoFactor.enabledTitle,
    });
  }

  @Post('settings/2fa/recovery-codes')
  async regenerate(
    @Req() request: Request,
    @Res() response: Response,
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const form = this.settingsForm(request, response, 'regenerate');
    const fields = { code: t.fields.code };
    const { code } = await formValue(form, TotpCodeDto, body, fields);
    const { recoveryCodes } = await submitForm(
      () => this.mine.regenerateRecoveryCodes(user.id, code),
      form,
    );
    const page = recoveryCodesPage(t, recoveryCodes, t.twoFactor.newCodesTitle, '/settings');
    await this.pages.render(request, response, 'recoveryCodes', page);
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

  /** A form on the settings page: its code's message stands beside `field`. */
  private settingsForm(
    request: Request,
    response: Response,
    field: 'move' | 'regenerate',
  ): FormContext {
    return {
      table: SETTINGS_CODE_ERRORS,
      context: undefined,
      show: (state: FormState, status: number) => {
        const errors = state.errors.code === undefined ? {} : { [field]: state.errors.code };
        return this.renderSettings(request, response, errors, status, state.formError);
      },
    };
  }
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
