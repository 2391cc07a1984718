import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionService } from '../accounts/session.service';
import { SignInService } from '../sign-in/sign-in.service';
import { SESSION_COOKIE } from '../sign-in/auth.guard';
import { clientInfo } from '../common/client-info';
import { ChallengeRecoveryCodeDto, ChallengeTotpDto, LoginDto } from '../sign-in/sign-in.dto';
import { TwoFactorSignInService } from '../sign-in/two-factor-sign-in.service';
import { FormContext, FormErrorTable, formValue, submitForm } from './form-errors';
import {
  EXPIRED_SIGN_IN,
  PASSWORD_ERRORS,
  SIGN_IN_CODE_ERRORS,
  SIGN_IN_ENROLL_CONFIRM_ERRORS,
  SIGN_IN_ENROLL_ERRORS,
  SIGN_IN_RECOVERY_CODE_ERRORS,
} from './form-tables';
import type { Messages } from './i18n/locale';
import { enrollmentView, recoveryCodesPage } from './two-factor-pages';
import { CHALLENGE_COOKIE, cookie, WebCookies } from './web-cookies';
import { WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebRedirect } from './web-errors';
import type { ViewName } from './views';
import { PageData, WebPages } from './web-pages.service';

/**
 * Sign-in for people: e-mail and password, then the code (or a recovery code), or the forced
 * enrollment after a reset. The challenge between the steps lives in an HttpOnly cookie scoped to
 * /login, never in a URL. Every step calls the same services as POST /api/auth/*.
 */
@WebController('login', CsrfGuard)
export class SignInPagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly cookies: WebCookies,
    private readonly sessions: SessionService,
    private readonly signIn: SignInService,
    private readonly twoFactor: TwoFactorSignInService,
  ) {}

  @Get()
  async form(
    @Req() request: Request,
    @Res() response: Response,
    @Query('expired') expired?: string,
    @Query('signedout') signedOut?: string,
  ): Promise<void> {
    const token = cookie(request, SESSION_COOKIE);
    if (token !== undefined && (await this.sessions.resolve(token)) !== undefined) {
      throw new WebRedirect('/');
    }
    const { t } = await this.pages.viewer(request);
    await this.pages.render(request, response, 'signIn', {
      title: t.signIn.title,
      formError: expired === '1' ? t.signIn.expired : undefined,
      notice: signedOut === '1' ? t.signIn.signedOut : undefined,
    });
  }

  @Post()
  async submit(
    @Req() request: Request,
    @Res() response: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    const page = { title: t.signIn.title, values: { email: emailOf(body) } };
    const form = this.formOf(request, response, 'signIn', page, PASSWORD_ERRORS);
    const { email, password } = await formValue(form, LoginDto, body, {
      email: t.fields.email,
      password: t.fields.password,
      _form: t.fields.unknownField,
    });
    const result = await submitForm(
      () => this.signIn.login(email, password, clientInfo(request)),
      form,
    );
    if (result.next === 'done') {
      this.cookies.setSession(response, result.accessToken);
      return this.pages.redirect(response, '/');
    }
    this.cookies.setChallenge(response, result.challenge);
    this.pages.redirect(response, result.next === 'totp' ? '/login/code' : '/login/enroll');
  }

  @Get('code')
  async codeForm(@Req() request: Request, @Res() response: Response): Promise<void> {
    challengeOf(request);
    const { t } = await this.pages.viewer(request);
    await this.pages.render(request, response, 'signInCode', { title: t.signIn.codeTitle });
  }

  @Post('code')
  async code(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    return this.secondStep(request, response, body, 'totp');
  }

  @Get('recovery-code')
  async recoveryForm(@Req() request: Request, @Res() response: Response): Promise<void> {
    challengeOf(request);
    const { t } = await this.pages.viewer(request);
    await this.pages.render(request, response, 'signInRecovery', {
      title: t.signIn.recoveryTitle,
    });
  }

  @Post('recovery-code')
  async recoveryCode(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    return this.secondStep(request, response, body, 'recovery');
  }

  private async secondStep(
    request: Request,
    response: Response,
    body: unknown,
    kind: 'totp' | 'recovery',
  ): Promise<void> {
    const challenge = challengeOf(request);
    const { t } = await this.pages.viewer(request);
    const totp = kind === 'totp';
    const page = { title: totp ? t.signIn.codeTitle : t.signIn.recoveryTitle };
    const view = totp ? 'signInCode' : 'signInRecovery';
    const form = this.formOf(
      request,
      response,
      view,
      page,
      totp ? SIGN_IN_CODE_ERRORS : SIGN_IN_RECOVERY_CODE_ERRORS,
    );
    const dto = totp ? ChallengeTotpDto : ChallengeRecoveryCodeDto;
    const fields = { code: totp ? t.fields.code : t.fields.recoveryCode };
    const { code } = await formValue(form, dto, body, fields, { challenge });
    const client = clientInfo(request);
    const { accessToken } = await submitForm(
      () =>
        totp
          ? this.twoFactor.totp(challenge, code, client)
          : this.twoFactor.recoveryCode(challenge, code, client),
      form,
    );
    this.cookies.clearChallenge(response);
    this.cookies.setSession(response, accessToken);
    this.pages.redirect(response, '/');
  }

  @Get('enroll')
  async enrollIntro(@Req() request: Request, @Res() response: Response): Promise<void> {
    challengeOf(request);
    const { t } = await this.pages.viewer(request);
    await this.pages.render(request, response, 'enrollIntro', { title: t.signIn.enrollTitle });
  }

  /** A POST, not a GET: starting an enrollment creates a new secret. */
  @Post('enroll')
  async enrollStart(@Req() request: Request, @Res() response: Response): Promise<void> {
    const challenge = challengeOf(request);
    const { t } = await this.pages.viewer(request);
    const page = this.scanPage(t);
    const form = this.formOf(request, response, 'enrollScan', page, SIGN_IN_ENROLL_ERRORS);
    const enrollment = await submitForm(() => this.twoFactor.enroll(challenge), form);
    await this.pages.render(request, response, 'enrollScan', {
      ...page,
      ...enrollmentView(enrollment),
    });
  }

  @Post('enroll/confirm')
  async enrollConfirm(
    @Req() request: Request,
    @Res() response: Response,
    @Body() body: unknown,
  ): Promise<void> {
    const challenge = challengeOf(request);
    const { t } = await this.pages.viewer(request);
    const form = {
      ...this.formOf(
        request,
        response,
        'enrollScan',
        this.scanPage(t),
        SIGN_IN_ENROLL_CONFIRM_ERRORS,
      ),
      start: this.show(request, response, 'enrollIntro', { title: t.signIn.enrollTitle }),
    };
    const fields = { code: t.fields.code };
    const { code } = await formValue(form, ChallengeTotpDto, body, fields, { challenge });
    const result = await submitForm(
      () => this.twoFactor.confirmEnrollment(challenge, code, clientInfo(request)),
      form,
    );
    this.cookies.clearChallenge(response);
    this.cookies.setSession(response, result.accessToken);
    await this.pages.render(request, response, 'recoveryCodes', {
      ...recoveryCodesPage(t, result.recoveryCodes, t.twoFactor.recoveryCodesTitle, '/'),
      enabledTitle: t.twoFactor.enabledTitle,
    });
  }

  /** A sign-in form: shown again on its own view with its table's messages. */
  private formOf(
    request: Request,
    response: Response,
    view: ViewName,
    page: PageData,
    table: FormErrorTable,
  ): FormContext {
    return { table, context: undefined, show: this.show(request, response, view, page) };
  }

  private show(request: Request, response: Response, view: ViewName, page: PageData) {
    return (state: object, status: number) =>
      this.pages.render(request, response, view, { ...page, ...state }, status);
  }

  private scanPage(t: Messages) {
    const heading = t.signIn.enrollTitle;
    return {
      title: heading,
      heading,
      action: '/login/enroll/confirm',
      restart: '/login/enroll',
      languagePath: '/login/enroll',
    };
  }
}

/** The challenge of the password step; without one, the sign-in starts over. */
function challengeOf(request: Request): string {
  const challenge = cookie(request, CHALLENGE_COOKIE);
  if (challenge === undefined) throw new WebRedirect(EXPIRED_SIGN_IN);
  return challenge;
}

/** The e-mail to fill in again after an error (never the password). */
function emailOf(body: unknown): string | undefined {
  const email = (body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.slice(0, 254) : undefined;
}
