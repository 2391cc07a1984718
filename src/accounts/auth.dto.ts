import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_EMAIL_LENGTH } from '../common/field-limits';

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
