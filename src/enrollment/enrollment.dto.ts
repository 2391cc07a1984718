import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';

/** Authenticator apps show "123 456": spaces are not part of the code. */
const withoutSpaces = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/\s+/g, '') : value;

/** spaces are removed first (see withoutSpaces) */
const SIX_DIGITS_PATTERN = '^\\d{6}$';
const SIX_DIGITS = new RegExp(SIX_DIGITS_PATTERN);
const SIX_DIGITS_MESSAGE = 'code must be the 6 digits your authenticator shows';

/** A required field holding a six-digit code from an authenticator (spaces allowed). */
export function TotpCode(options: { description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: '123456', ...options, pattern: SIX_DIGITS_PATTERN }),
    Transform(withoutSpaces),
    IsString(),
    Matches(SIX_DIGITS, { message: SIX_DIGITS_MESSAGE }),
  );
}

export class TotpCodeDto {
  @TotpCode({ description: 'the current code of your authenticator' })
  code: string;
}

/** An optional field holding the current code of the user's authenticator. */
export function OptionalTotpCode(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: '123456', description, pattern: SIX_DIGITS_PATTERN }),
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
