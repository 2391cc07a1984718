import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ErrorBodyView, JSON_BODY_ERRORS } from '../../common/api-errors';
import { CurrentUser, Public, Roles } from '../../common/auth.decorators';
import type { AuthenticatedUser } from '../../common/auth.decorators';
import {
  ApproveRequestDto,
  CancelRequestDto,
  DenyRequestDto,
  ListRequestsQueryDto,
  OrganizationRequestsQueryDto,
  OrganizationRequestsView,
} from './recovery-request.dto';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryRequestsService } from './recovery-requests.service';

/** The refusals particular to a decision: the agent's own second factor, fresh. */
function DecisionResponses() {
  return applyDecorators(
    ApiResponse({
      status: 401,
      type: ErrorBodyView,
      description: '`invalid_code`: the code sent along is wrong or replayed',
    }),
    ApiResponse({
      status: 403,
      type: ErrorBodyView,
      description:
        '`step_up_required`: no code proved in this session in the last 15 minutes and none sent along; `two_factor_required`: the agent has no active 2FA',
    }),
    ApiResponse({
      status: 409,
      type: ErrorBodyView,
      description: '`request_not_open`, `already_approved`',
    }),
    ApiResponse({
      status: 429,
      type: ErrorBodyView,
      description: '`two_factor_locked`: too many wrong codes',
    }),
  );
}

@ApiTags('support agents')
@ApiBearerAuth()
@Roles('agent')
@ApiErrors(400, 401, 403)
@Controller('api/recovery/requests')
export class RecoveryRequestsController {
  constructor(private readonly requests: RecoveryRequestsService) {}

  @Get()
  list(@Query() query: ListRequestsQueryDto) {
    return this.requests.list(query);
  }

  @ApiErrors(404)
  @Get(':id')
  detail(@Param('id', ParseUUIDPipe) id: string) {
    return this.requests.detail(id);
  }

  @DecisionResponses()
  @ApiErrors(...JSON_BODY_ERRORS, 404, 409)
  @Post(':id/approve')
  @HttpCode(200)
  approve(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ApproveRequestDto,
    @CurrentUser() agent: AuthenticatedUser,
  ) {
    return this.requests.approve(id, agent, body);
  }

  @DecisionResponses()
  @ApiErrors(...JSON_BODY_ERRORS, 404, 409)
  @Post(':id/deny')
  @HttpCode(200)
  deny(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DenyRequestDto,
    @CurrentUser() agent: AuthenticatedUser,
  ) {
    return this.requests.deny(id, agent, body);
  }
}

/** The mailbox owner's cancel link posts here (the web page asks for one click first). */
@ApiTags('recovery')
@Controller('api/recovery/cancel')
export class RecoveryCancelController {
  constructor(private readonly decisions: RecoveryDecisionService) {}

  @Public()
  @ApiErrors(...JSON_BODY_ERRORS, 404, 409)
  @Post()
  @HttpCode(200)
  cancel(@Body() body: CancelRequestDto) {
    return this.decisions.cancelWithToken(body.token);
  }
}

/**
 * An organization's owner or admin sees its members' recoveries and cancels one, e.g. during the
 * delay. Only their own organization's requests exist for them (another's is 404).
 */
@ApiTags('organization admin')
@ApiBearerAuth()
@Roles('owner', 'admin')
@Controller('api/org/recovery-requests')
export class OrganizationRecoveryController {
  constructor(
    private readonly decisions: RecoveryDecisionService,
    private readonly requests: RecoveryRequestsService,
  ) {}

  @ApiOkResponse({ type: OrganizationRequestsView })
  @ApiErrors(400, 401, 403)
  @Get()
  list(@Query() query: OrganizationRequestsQueryDto, @CurrentUser() admin: AuthenticatedUser) {
    return this.requests.listForOrganization(admin, query);
  }

  @ApiErrors(400, 401, 403, 404, 409)
  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() admin: AuthenticatedUser) {
    return this.decisions.cancelByOrganizationAdmin(id, admin);
  }
}
