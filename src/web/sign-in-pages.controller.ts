import {
  Body,
  Controller,
  Get,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SessionService } from '../accounts/session.service';
import { clientInfo } from '../common/client-info';
import { Public } from '../common/auth.decorators';
import { SESSION_COOKIE } from '../sign-in/auth.guard';
import { DomainError } from '../common/domain-error';
import { ChallengeRecoveryCodeDto, ChallengeTotpDto, LoginDto } from '../sign-in/sign-in.dto';
import { SignInService } from '../sign-in/sign-in.service';
import { TwoFactorSignInService } from '../sign-in/two-factor-sign-in.service';
import { enrollmentView, recoveryCodesPage, retryMinutes } from './two-factor-pages';
import { CHALLENGE_COOKIE, cookie, WebCookies } from './web-cookies';
import { CsrfGuard } from './web-csrf';
import { WebRedirect } from './web-errors';
import { WebExceptionFilter } from './web-exception.filter';
import { validateForm } from './web-form';
import { WebPages } from './web-pages.service';

const EXPIRED = '/login?expired=1';

/**
 * Sign-in for people: e-mail and password, then the code (or a recovery code), or the forced
 * enrollment after a reset. The challenge between the steps lives in an HttpOnly cookie scoped to
 * /login, never in a URL. Every step calls the same services as POST /api/auth/*.
 */
@ApiExcludeController()
@Public()
@Controller('login')
@UseFilters(WebExceptionFilter)
@UseGuards(CsrfGuard)
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
    const form = await validateForm(LoginDto, body, {
      email: t.fields.email,
      password: t.fields.password,
      _form: t.fields.unknownField,
    });
    if (!form.ok) {
      return this.pages.render(request, response, 'signIn', { ...page, errors: form.errors }, 400);
    }
    try {
      const result = await this.signIn.login(
        form.value.email,
        form.value.password,
        clientInfo(request),
      );
      if (result.next === 'done') {
        this.cookies.setSession(response, result.accessToken);
        return this.pages.redirect(response, '/');
      }
      this.cookies.setChallenge(response, result.challenge);
      return this.pages.redirect(
        response,
        result.next === 'totp' ? '/login/code' : '/login/enroll',
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_credentials') {
        const data = { ...page, formError: t.signIn.wrongCredentials };
        return this.pages.render(request, response, 'signIn', data, 401);
      }
      if (
        error instanceof DomainError &&
        (error.code === 'rate_limited' || error.code === 'sign_in_busy')
      ) {
        const minutes = retryMinutes(error, response);
        const data = { ...page, formError: t.signIn.rateLimited(minutes) };
        return this.pages.render(request, response, 'signIn', data, 429);
      }
      throw error;
    }
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
    const view = kind === 'totp' ? 'signInCode' : 'signInRecovery';
    const page = { title: kind === 'totp' ? t.signIn.codeTitle : t.signIn.recoveryTitle };
    const form =
      kind === 'totp'
        ? await validateForm(ChallengeTotpDto, body, { code: t.fields.code }, { challenge })
        : await validateForm(
            ChallengeRecoveryCodeDto,
            body,
            { code: t.fields.recoveryCode },
            { challenge },
          );
    if (!form.ok) {
      return this.pages.render(request, response, view, { ...page, errors: form.errors }, 400);
    }
    try {
      const client = clientInfo(request);
      const { accessToken } =
        kind === 'totp'
          ? await this.twoFactor.totp(challenge, form.value.code, client)
          : await this.twoFactor.recoveryCode(challenge, form.value.code, client);
      this.cookies.clearChallenge(response);
      this.cookies.setSession(response, accessToken);
      this.pages.redirect(response, '/');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'invalid_challenge') {
        this.cookies.clearChallenge(response);
        return this.pages.redirect(response, EXPIRED);
      }
      if (error.code === 'invalid_code') {
        const message = kind === 'totp' ? t.signIn.wrongCode : t.signIn.wrongRecoveryCode;
        const data = { ...page, errors: { code: message } };
        return this.pages.render(request, response, view, data, 401);
      }
      if (error.code === 'two_factor_locked') {
        const data = { ...page, formError: t.signIn.locked(retryMinutes(error, response)) };
        return this.pages.render(request, response, view, data, 429);
      }
      throw error;
    }
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
    let enrollment;
    try {
      enrollment = await this.twoFactor.enroll(challenge);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_challenge') {
        this.cookies.clearChallenge(response);
        return this.pages.redirect(response, EXPIRED);
      }
      throw error;
    }
    await this.pages.render(request, response, 'enrollScan', {
      ...this.scanPage(t.signIn.enrollTitle),
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
    const page = this.scanPage(t.signIn.enrollTitle);
    const form = await validateForm(ChallengeTotpDto, body, { code: t.fields.code }, { challenge });
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
      const result = await this.twoFactor.confirmEnrollment(
        challenge,
        form.value.code,
        clientInfo(request),
      );
      this.cookies.clearChallenge(response);
      this.cookies.setSession(response, result.accessToken);
      await this.pages.render(request, response, 'recoveryCodes', {
        ...recoveryCodesPage(t, result.recoveryCodes, t.twoFactor.recoveryCodesTitle, '/'),
        enabledTitle: t.twoFactor.enabledTitle,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'invalid_challenge') {
        this.cookies.clearChallenge(response);
        return this.pages.redirect(response, EXPIRED);
      }
      if (error.code === 'invalid_enrollment_code') {
        const data = { ...page, errors: { code: t.twoFactor.wrongCode } };
        return this.pages.render(request, response, 'enrollScan', data, 400);
      }
      if (error.code === 'no_pending_enrollment') {
        const data = { title: t.signIn.enrollTitle, formError: t.twoFactor.noPending };
        return this.pages.render(request, response, 'enrollIntro', data, 409);
      }
      throw error;
    }
  }

  private scanPage(heading: string) {
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
  if (challenge === undefined) throw new WebRedirect(EXPIRED);
  return challenge;
}

/** The e-mail to fill in again after an error (never the password). */
function emailOf(body: unknown): string | undefined {
  const email = (body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.slice(0, 254) : undefined;
}
