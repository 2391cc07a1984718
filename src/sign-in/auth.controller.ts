import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS, SIGN_IN_LIMIT_NOTE } from '../common/api-errors';
import type { Request } from 'express';
import { CurrentUser, Public } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { clientInfo } from '../common/client-info';
import { LoginDto } from './sign-in.dto';
import { SignInResult, SignInService } from './sign-in.service';

/** The password step and sign-out; the second step is in sign-in.controller.ts. */

@ApiTags('sign-in')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly signIn: SignInService) {}

  @Public()
  @ApiOperation({ description: SIGN_IN_LIMIT_NOTE })
  @ApiErrors(...JSON_BODY_ERRORS, 401, 429)
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Req() request: Request): Promise<SignInResult> {
    return this.signIn.login(body.email, body.password, clientInfo(request));
  }

  @ApiBearerAuth()
  @ApiErrors(401)
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.signIn.logout(user.sessionId, user.id);
  }
}
