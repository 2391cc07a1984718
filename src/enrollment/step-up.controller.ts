import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { TotpCodeDto } from './enrollment.dto';
import { StepUpService } from './step-up.service';

@ApiTags('sign-in')
@ApiBearerAuth()
@Controller('api/auth')
export class StepUpController {
  constructor(private readonly steps: StepUpService) {}

  /** Proves the second factor again; for 15 minutes the session may approve and deny. */
  @Post('step-up')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'the session is stepped up for 15 minutes' })
  @ApiResponse({ status: 400, description: 'code is not 6 digits' })
  @ApiResponse({ status: 401, description: '`invalid_code`: wrong or replayed code' })
  @ApiResponse({ status: 403, description: '`two_factor_required`: no active 2FA' })
  @ApiResponse({ status: 429, description: '`two_factor_locked`: too many wrong codes' })
  async stepUp(@CurrentUser() user: AuthenticatedUser, @Body() body: TotpCodeDto): Promise<void> {
    await this.steps.renew(user, body.code);
  }
}
