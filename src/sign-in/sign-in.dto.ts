import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import {
  MAX_CHALLENGE_LENGTH,
  MAX_EMAIL_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_RECOVERY_CODE_LENGTH,
  MIN_EMAIL_LENGTH,
} from '../common/field-limits';
import { TotpCode } from '../enrollment/enrollment.dto';

export class LoginDto {
  @ApiProperty({
    example: 'owner@demo-clinic.test',
    minLength: MIN_EMAIL_LENGTH,
    maxLength: MAX_EMAIL_LENGTH,
  })
  @IsString()
  @MinLength(MIN_EMAIL_LENGTH)
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;

  @ApiProperty({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}

export class ChallengeDto {
  @ApiProperty({
    description: 'the challenge from POST /api/auth/login',
    minLength: 1,
    maxLength: MAX_CHALLENGE_LENGTH,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_CHALLENGE_LENGTH)
  challenge: string;
}

export class ChallengeTotpDto extends ChallengeDto {
  @TotpCode()
  code: string;
}

export class ChallengeRecoveryCodeDto extends ChallengeDto {
  @ApiProperty({
    example: 'ABCD-EFGH-JKMN-PQRS',
    description: 'one of your recovery codes',
    minLength: 1,
    maxLength: MAX_RECOVERY_CODE_LENGTH,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_RECOVERY_CODE_LENGTH)
  code: string;
}
