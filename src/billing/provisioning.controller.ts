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
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth.decorators';
import { BillingListPipe } from './billing-list.pipe';
import { ProvisioningTokenGuard } from './provisioning-token.guard';
import {
  BillingItemDto,
  BillingReplacedView,
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
@ApiBearerAuth()
@Public()
@UseGuards(ProvisioningTokenGuard)
@Controller('api/provisioning')
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Post('organizations')
  createOrganization(@Body() body: CreateOrganizationDto): Promise<CreatedOrganizationView> {
    return this.provisioning.createOrganization(body, API);
  }

  @Put('organizations/:id/billing')
  @HttpCode(200)
  @ApiBody({ type: [BillingItemDto] })
  replaceBilling(
    @Param('id', ParseUUIDPipe) id: string,
    @Body(BillingListPipe)
    items: BillingItemDto[],
  ): Promise<BillingReplacedView> {
    return this.provisioning.replaceBilling(id, items, API);
  }

  @Post('organizations/:id/users')
  addUser(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ProvisionUserDto,
  ): Promise<ProvisionedUserView> {
    return this.provisioning.addUser(id, body, API);
  }

  @Post('agents')
  createAgent(@Body() body: CreateAgentDto): Promise<ProvisionedUserView> {
    return this.provisioning.createAgent(body, API);
  }
}
