import {
  Body,
  Controller,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/api-errors';
import { PROVISIONING_SCHEME } from '../common/api-docs';
import { Public } from '../common/auth.decorators';
import { BillingListPipe } from './billing-list.pipe';
import { ProvisioningTokenGuard } from './provisioning-token.guard';
import {
  BillingItemDto,
  BillingReplacedView,
  MAX_BILLING_ITEMS,
  CreateAgentDto,
  CreatedOrganizationView,
  CreateOrganizationDto,
  ProvisionedUserView,
  ProvisionUserDto,
} from './provisioning.dto';
import { ProvisioningService } from './provisioning.service';

const API = { type: 'provisioning' } as const;

/**
 * Back-office provisioning. @Public() only releases the routes from the session guard: the
 * ProvisioningTokenGuard demands the provisioning bearer token instead. A malformed organization
 * id is a 400 (ParseUUIDPipe), an unknown one a 404.
 */
@ApiTags('provisioning')
@ApiBearerAuth(PROVISIONING_SCHEME)
@ApiErrors(...JSON_BODY_ERRORS, 401, 404)
@Public()
@UseGuards(ProvisioningTokenGuard)
@Controller('api/provisioning')
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @ApiErrors(409)
  @Post('organizations')
  createOrganization(@Body() body: CreateOrganizationDto): Promise<CreatedOrganizationView> {
    return this.provisioning.createOrganization(body, API);
  }

  @Put('organizations/:id/billing')
  @HttpCode(200)
  @ApiExtraModels(BillingItemDto)
  @ApiBody({
    schema: {
      type: 'array',
      maxItems: MAX_BILLING_ITEMS,
      items: { $ref: getSchemaPath(BillingItemDto) },
    },
  })
  replaceBilling(
    @Param('id', ParseUUIDPipe) id: string,
    @Body(BillingListPipe)
    items: BillingItemDto[],
  ): Promise<BillingReplacedView> {
    return this.provisioning.replaceBilling(id, items, API);
  }

  @ApiErrors(409)
  @Post('organizations/:id/users')
  addUser(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ProvisionUserDto,
  ): Promise<ProvisionedUserView> {
    return this.provisioning.addUser(id, body, API);
  }

  @ApiErrors(409)
  @Post('agents')
  createAgent(@Body() body: CreateAgentDto): Promise<ProvisionedUserView> {
    return this.provisioning.createAgent(body, API);
  }
}
