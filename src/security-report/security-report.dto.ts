import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_REPORT_TOKEN_LENGTH } from '../accounts/security-report-links.service';

export class SecurityReportDto {
  @ApiProperty({
    description: 'the token of the link `PUBLIC_URL/security/report/<token>` in the mail',
    minLength: 10,
    maxLength: MAX_REPORT_TOKEN_LENGTH,
  })
  @IsString()
  @MinLength(10)
  @MaxLength(MAX_REPORT_TOKEN_LENGTH)
  token: string;
}

export class SecurityReportView {
  @ApiProperty({ enum: ['reported'] })
  status: 'reported';

  @ApiProperty({
    format: 'date-time',
    description: 'recovery by e-mail is refused for the account until then (REPORT_FREEZE_DAYS)',
  })
  frozenUntil: string;
}
