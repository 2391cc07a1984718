import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS, WRONG_CODE_LIMIT_NOTE } from '../common/api-errors';
import { CurrentUser, Roles } from '../common/auth.decorators';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { TotpCodeDto } from '../enrollment/enrollment.dto';
import {
  OrganizationUserView,
  OrganizationView,
  UpdateOrganizationDto,
} from './organization-admin.dto';
import { OrganizationAdminService } from './organization-admin.service';

@ApiTags('organization admin')
@ApiBearerAuth()
@Roles('owner', 'admin')
@ApiErrors(401, 403)
@Controller('api/org')
export class OrganizationAdminController {
  constructor(private readonly admin: OrganizationAdminService) {}

  @Get()
  organization(@CurrentUser() actor: AuthenticatedUser): Promise<OrganizationView> {
    return this.admin.organization(actor);
  }

  @ApiErrors(...JSON_BODY_ERRORS)
  @Patch()
  @Roles('owner')
  update(
    @CurrentUser() actor: AuthenticatedUser,
    @Body() body: UpdateOrganizationDto,
  ): Promise<OrganizationView> {
    return this.admin.setRequire2fa(actor, body.require2fa);
  }

  @Get('users')
  users(@CurrentUser() actor: AuthenticatedUser): Promise<OrganizationUserView[]> {
    return this.admin.users(actor);
  }

  @ApiOperation({
    description: `A malformed id is answered like an unknown one (404). ${WRONG_CODE_LIMIT_NOTE}`,
  })
  @ApiErrors(...JSON_BODY_ERRORS, 404, 409, 429)
  @Post('users/:id/2fa/reset')
  @HttpCode(200)
  reset(
    @CurrentUser() actor: AuthenticatedUser,
    // a malformed id cannot name a user: answered as for any unknown user
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.NOT_FOUND })) id: string,
    @Body() body: TotpCodeDto,
  ): Promise<{ status: 'reset_required' }> {
    return this.admin.resetTwoFactor(actor, id, body.code);
  }
}
