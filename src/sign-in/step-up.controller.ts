import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/api-errors';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { TotpCodeDto } from '../enrollment/enrollment.dto';
import { StepUpService } from './step-up.service';

@ApiTags('sign-in')
@ApiBearerAuth()
@Controller('api/auth')
export class StepUpController {
  constructor(private readonly steps: StepUpService) {}

  /** Proves the second factor again; for 15 minutes the session may approve and deny. */
  @ApiErrors(...JSON_BODY_ERRORS, 401, 403, 429)
  @Post('step-up')
  @HttpCode(204)
  async stepUp(@CurrentUser() user: AuthenticatedUser, @Body() body: TotpCodeDto): Promise<void> {
    await this.steps.renew(user, body.code);
  }
}
