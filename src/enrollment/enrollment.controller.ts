import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS, WRONG_CODE_LIMIT_NOTE } from '../common/api-errors';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { StartEnrollmentDto, TotpCodeDto } from './enrollment.dto';
import { EnrollmentView, MyTwoFactorService } from './my-two-factor.service';

/** Two-factor authentication from the user's own settings. */
@ApiTags('own account')
@ApiBearerAuth()
@ApiErrors(...JSON_BODY_ERRORS, 401, 409)
@Controller('api/me/2fa')
export class EnrollmentController {
  constructor(private readonly mine: MyTwoFactorService) {}

  @ApiOperation({ description: WRONG_CODE_LIMIT_NOTE })
  @ApiErrors(403, 429)
  @Post('enrollment')
  @HttpCode(200)
  start(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: StartEnrollmentDto,
  ): Promise<EnrollmentView> {
    return this.mine.startEnrollment(user.id, body.code);
  }

  @Post('enrollment/confirm')
  @HttpCode(200)
  confirm(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: TotpCodeDto,
  ): Promise<{ status: 'active'; recoveryCodes: string[] }> {
    return this.mine.confirmEnrollment(user, body.code);
  }

  @ApiOperation({ description: WRONG_CODE_LIMIT_NOTE })
  @ApiErrors(403, 429)
  @Post('recovery-codes')
  @HttpCode(200)
  regenerate(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: TotpCodeDto,
  ): Promise<{ recoveryCodes: string[] }> {
    return this.mine.regenerateRecoveryCodes(user.id, body.code);
  }
}
