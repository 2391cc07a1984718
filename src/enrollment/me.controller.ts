import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors';
import { CurrentUser } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { MeService, MeView } from './me.service';

@ApiTags('own account')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  view(@CurrentUser() user: AuthenticatedUser): Promise<MeView> {
    return this.me.view(user.id);
  }
}
