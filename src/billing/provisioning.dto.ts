import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidationError,
  validateSync,
} from 'class-validator';
import { normalizeEmail } from '../accounts/email-address';
import {
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_STUDENT_ID_LENGTH,
} from '../common/field-limits';
import type { Locale } from '../accounts/user.entity';
import type { BillingKind } from './billing-record.entity';
import type { BillingValues } from './billing.repository';

/** Shortest password the provisioning API and the CLI accept. */
export const MIN_PASSWORD_LENGTH = 10;
/** Billing records per provisioning call (POST …/organizations, PUT …/billing). */
export const MAX_BILLING_ITEMS = 100;
/** Users per POST …/organizations. */
export const MAX_USERS_PER_REQUEST = 100;

export const BILLING_KINDS: readonly BillingKind[] = ['card', 'bank_account', 'student'];
export const PROVISIONED_ROLES = ['owner', 'admin', 'practitioner'] as const;
export type ProvisionedRole = (typeof PROVISIONED_ROLES)[number];
export const LOCALES: readonly Locale[] = ['sv', 'en'];

/** A login e-mail: a single plain address that normalizeEmail accepts (IDN domains included). */
function IsLoginEmail() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLoginEmail',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && normalizeEmail(value) !== undefined,
        defaultMessage: (args: ValidationArguments) => `${args.property} must be an e-mail address`,
      },
    });
}

/**
 * The field belongs to other billing kinds only: a card with a student ID (or a student record
 * with card digits) is refused rather than half-stored, so evidence matching never meets a mix.
 */
function OnlyForKinds(kinds: BillingKind[]) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyForKinds',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined ||
          kinds.includes((args.object as { kind?: BillingKind }).kind as BillingKind),
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} is only allowed when kind is ${kinds.join(' or ')}`,
      },
    });
}

const isCardLike = (item: BillingItemDto) => item.kind === 'card' || item.kind === 'bank_account';

/** `{ kind: "card"|"bank_account", last4, holderName }` or `{ kind: "student", studentId }`. */
export class BillingItemDto {
  @ApiProperty({ enum: BILLING_KINDS })
  @IsIn(BILLING_KINDS)
  kind: BillingKind;

  @ApiPropertyOptional({
    example: '4242',
    description: 'card or bank_account: last 4 digits',
    pattern: '^\\d{4}$',
  })
  @ValidateIf((item: BillingItemDto) => isCardLike(item) || item.last4 !== undefined)
  @IsDefined({ message: 'last4 is required when kind is card or bank_account' })
  @OnlyForKinds(['card', 'bank_account'])
  @IsString()
  @Matches(/^\d{4}$/, { message: 'last4 must be exactly 4 digits' })
  last4?: string;

  @ApiPropertyOptional({
    example: 'Åsa Öberg',
    description: 'card or bank_account: holder name',
    maxLength: MAX_NAME_LENGTH,
  })
  @ValidateIf((item: BillingItemDto) => isCardLike(item) || item.holderName !== undefined)
  @IsDefined({ message: 'holderName is required when kind is card or bank_account' })
  @OnlyForKinds(['card', 'bank_account'])
  @IsString()
  @Matches(/\S/, { message: 'holderName must not be blank' })
  @MaxLength(MAX_NAME_LENGTH)
  holderName?: string;

  @ApiPropertyOptional({
    example: 'S-2024-00123',
    description: 'student: the student ID',
    maxLength: MAX_STUDENT_ID_LENGTH,
  })
  @ValidateIf((item: BillingItemDto) => item.kind === 'student' || item.studentId !== undefined)
  @IsDefined({ message: 'studentId is required when kind is student' })
  @OnlyForKinds(['student'])
  @IsString()
  @Matches(/\S/, { message: 'studentId must not be blank' })
  @MaxLength(MAX_STUDENT_ID_LENGTH)
  studentId?: string;
}

/** A login e-mail address: a string of at most MAX_EMAIL_LENGTH that is a valid address. */
function LoginEmailField(example: string): PropertyDecorator {
  // applied in this order, as stacked decorators apply from the bottom up: IsString reports first
  return applyDecorators(
    IsLoginEmail() as PropertyDecorator,
    MaxLength(MAX_EMAIL_LENGTH),
    IsString(),
    ApiProperty({ example, maxLength: MAX_EMAIL_LENGTH }),
  );
}

/** A person's display name: not blank, at most MAX_NAME_LENGTH. */
function PersonNameField(example: string): PropertyDecorator {
  return applyDecorators(
    MaxLength(MAX_NAME_LENGTH),
    Matches(/\S/, { message: 'name must not be blank' }),
    IsString(),
    ApiProperty({ example, maxLength: MAX_NAME_LENGTH }),
  );
}

/** A new password: MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters, never in responses. */
function PasswordField(): PropertyDecorator {
  return applyDecorators(
    MaxLength(MAX_PASSWORD_LENGTH),
    MinLength(MIN_PASSWORD_LENGTH),
    IsString(),
    ApiProperty({
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: MAX_PASSWORD_LENGTH,
      writeOnly: true,
    }),
  );
}

export class ProvisionUserDto {
  @LoginEmailField('asa.oberg@example-clinic.se')
  email: string;

  @PersonNameField('Åsa Öberg')
  name: string;

  @ApiProperty({ enum: PROVISIONED_ROLES })
  @IsIn(PROVISIONED_ROLES)
  role: ProvisionedRole;

  @PasswordField()
  password: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'en' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

export class CreateOrganizationDto {
  @PersonNameField('Öberg Psykoterapi AB')
  name: string;

  @ApiProperty({ enum: ['paid', 'academic'] })
  @IsIn(['paid', 'academic'])
  plan: 'paid' | 'academic';

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  require2fa?: boolean;

  @ApiProperty({ type: [BillingItemDto], maxItems: MAX_BILLING_ITEMS })
  @IsArray()
  @ArrayMaxSize(MAX_BILLING_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => BillingItemDto)
  billing: BillingItemDto[];

  @ApiProperty({ type: [ProvisionUserDto], maxItems: MAX_USERS_PER_REQUEST })
  @IsArray()
  @ArrayMaxSize(MAX_USERS_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => ProvisionUserDto)
  users: ProvisionUserDto[];
}

export class CreateAgentDto {
  @LoginEmailField('sam@support.example')
  email: string;

  @PersonNameField('Sam Support')
  name: string;

  @PasswordField()
  password: string;
}

export class ProvisionedUserView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  email: string;
}

export class CreatedOrganizationView {
  @ApiProperty()
  id: string;

  @ApiProperty({ type: [ProvisionedUserView] })
  users: ProvisionedUserView[];
}

export class BillingReplacedView {
  @ApiProperty()
  organizationId: string;

  @ApiProperty({ description: 'how many billing records the organization has now' })
  records: number;
}

/** Flattens class-validator errors into "path: problem" lines (never the submitted values). */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix === '' ? error.property : `${prefix}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property)
        ? `${prefix === '' ? '' : `${prefix}.`}${message}`
        : `${path}: ${message}`,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Validates a plain object (a CSV row, command-line arguments) with the same rules the API's
 * ValidationPipe applies, so the CLI and the API accept exactly the same input.
 */
export function validatePlain<T extends object>(
  cls: new () => T,
  plain: Record<string, unknown>,
): { value: T; problems: [] } | { value?: undefined; problems: string[] } {
  const value = plainToInstance(cls, plain);
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    // one problem per field is enough for a person fixing a file
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) return { problems: describeValidationErrors(errors) };
  return { value, problems: [] };
}

/** The stored form of a validated billing item: fields of the other kinds are null. */
export function billingValues(item: BillingItemDto): BillingValues {
  const cardLike = item.kind !== 'student';
  return {
    kind: item.kind,
    last4: cardLike ? (item.last4 ?? null) : null,
    holderName: cardLike ? (item.holderName?.trim() ?? null) : null,
    studentId: cardLike ? null : (item.studentId?.trim() ?? null),
  };
}
