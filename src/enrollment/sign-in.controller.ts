import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientInfo } from '../accounts/auth.controller';
import { Public } from '../common/auth.decorators';
import { ChallengeDto, ChallengeRecoveryCodeDto, ChallengeTotpDto } from './enrollment.dto';
import type { EnrollmentView } from './enrollment.service';
import { SignedIn, TwoFactorSignInService } from './two-factor-sign-in.service';

/** The second step of sign-in: POST /api/auth/login answered `totp` or `enroll`. */
@ApiTags('sign-in')
@Public()
@Controller('api/auth')
export class SignInController {
  constructor(private readonly twoFactor: TwoFactorSignInService) {}

  @Post('totp')
  @HttpCode(200)
  totp(@Body() body: ChallengeTotpDto, @Req() request: Request): Promise<SignedIn> {
    return this.twoFactor.totp(body.challenge, body.code, clientInfo(request));
  }

  @Post('recovery-code')
  @HttpCode(200)
  recoveryCode(@Body() body: ChallengeRecoveryCodeDto, @Req() request: Request): Promise<SignedIn> {
    return this.twoFactor.recoveryCode(body.challenge, body.code, clientInfo(request));
  }

  @Post('enroll')
  @HttpCode(200)
  enroll(@Body() body: ChallengeDto): Promise<EnrollmentView> {
    return this.twoFactor.enroll(body.challenge);
  }

  @Post('enroll/confirm')
  @HttpCode(200)
  confirm(
    @Body() body: ChallengeTotpDto,
    @Req() request: Request,
  ): Promise<SignedIn & { recoveryCodes: string[] }> {
    return this.twoFactor.confirmEnrollment(body.challenge, body.code, clientInfo(request));
  }
}
