import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Authenticator apps show "123 456": spaces are not part of the code. */
const withoutSpaces = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/\s+/g, '') : value;

const SIX_DIGITS = /^\d{6}$/;
const SIX_DIGITS_MESSAGE = 'code must be the 6 digits your authenticator shows';

export class TotpCodeDto {
  @ApiProperty({ example: '123456', description: 'the current code of your authenticator' })
  @Transform(withoutSpaces)
  @IsString()
  @Matches(SIX_DIGITS, { message: SIX_DIGITS_MESSAGE })
  code: string;
}

/** An optional field holding the current code of the user's authenticator. */
export function OptionalTotpCode(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: '123456', description }),
    IsOptional(),
    Transform(withoutSpaces),
    IsString(),
    Matches(SIX_DIGITS, { message: SIX_DIGITS_MESSAGE }),
  );
}

export class StartEnrollmentDto {
  @OptionalTotpCode('required only to move an active factor to a new authenticator: a current code')
  code?: string;
}

export class ChallengeDto {
  @ApiProperty({ description: 'the challenge from POST /api/auth/login' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  challenge: string;
}

export class ChallengeTotpDto extends ChallengeDto {
  @ApiProperty({ example: '123456' })
  @Transform(withoutSpaces)
  @IsString()
  @Matches(SIX_DIGITS, { message: SIX_DIGITS_MESSAGE })
  code: string;
}

export class ChallengeRecoveryCodeDto extends ChallengeDto {
  @ApiProperty({ example: 'ABCD-EFGH-JKMN-PQRS', description: 'one of your recovery codes' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code: string;
}
