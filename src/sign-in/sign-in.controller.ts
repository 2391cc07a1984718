import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS, WRONG_CODE_LIMIT_NOTE } from '../common/api-errors';
import type { Request } from 'express';
import { Public } from '../common/auth.decorators';
import { clientInfo } from '../common/client-info';
import type { EnrollmentView } from '../enrollment/enrollment.service';
import { ChallengeDto, ChallengeRecoveryCodeDto, ChallengeTotpDto } from './sign-in.dto';
import { SignedIn, TwoFactorSignInService } from './two-factor-sign-in.service';

/** The second step of sign-in: POST /api/auth/login answered `totp` or `enroll`. */
@ApiTags('sign-in')
@ApiErrors(...JSON_BODY_ERRORS, 401)
@Public()
@Controller('api/auth')
export class SignInController {
  constructor(private readonly twoFactor: TwoFactorSignInService) {}

  @ApiOperation({ description: WRONG_CODE_LIMIT_NOTE })
  @ApiErrors(429)
  @Post('totp')
  @HttpCode(200)
  totp(@Body() body: ChallengeTotpDto, @Req() request: Request): Promise<SignedIn> {
    return this.twoFactor.totp(body.challenge, body.code, clientInfo(request));
  }

  @ApiOperation({ description: WRONG_CODE_LIMIT_NOTE })
  @ApiErrors(429)
  @Post('recovery-code')
  @HttpCode(200)
  recoveryCode(@Body() body: ChallengeRecoveryCodeDto, @Req() request: Request): Promise<SignedIn> {
    return this.twoFactor.recoveryCode(body.challenge, body.code, clientInfo(request));
  }

  @ApiErrors(409)
  @Post('enroll')
  @HttpCode(200)
  enroll(@Body() body: ChallengeDto): Promise<EnrollmentView> {
    return this.twoFactor.enroll(body.challenge);
  }

  @ApiErrors(409)
  @Post('enroll/confirm')
  @HttpCode(200)
  confirm(
    @Body() body: ChallengeTotpDto,
    @Req() request: Request,
  ): Promise<SignedIn & { recoveryCodes: string[] }> {
    return this.twoFactor.confirmEnrollment(body.challenge, body.code, clientInfo(request));
  }
}
