import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import type { OrganizationPlan } from '../accounts/organization.entity';
import type { UserRole } from '../accounts/user.entity';
import type { TwoFactorStatus } from '../enrollment/two-factor.entity';

export class UpdateOrganizationDto {
  @ApiProperty({ description: 'every member must use two-factor authentication' })
  @IsBoolean()
  require2fa: boolean;
}

export interface OrganizationView {
  id: string;
  name: string;
  plan: OrganizationPlan;
  require2fa: boolean;
}

export interface OrganizationUserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  twoFactor: { status: TwoFactorStatus };
}
