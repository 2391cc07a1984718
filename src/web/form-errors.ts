import type { Response } from 'express';
import { DomainError, DomainErrorCode } from '../common/domain-error';
import { statusForCode } from '../common/domain-error.filter';
import type { Messages } from './i18n/locale';
import { retryMinutes } from './two-factor-pages';
import type { ClassConstructor } from 'class-transformer';
import { validateForm } from './web-form';
import type { FieldErrors } from './web-pages.service';

/** What a refused form shows again: a message beside one field, or one above the whole form. */
export interface FormState {
  errors: FieldErrors;
  formError?: string;
}

/** What a refusal's words may use: the dictionary, and the minutes a lock or limit still lasts. */
export interface RefusalText {
  t: Messages;
  /** also sets Retry-After, like the API */
  minutes: () => number;
}

type Words<C> = (text: RefusalText, context: C) => string | Promise<string>;

/**
 * One refusal on one form: the message beside a field, the message above the form (none: the
 * page as it is now; `page: 'start'` shows it on the page the form was started from instead), or
 * a redirect (a sign-in whose challenge is gone starts over).
 */
export type FormErrorEntry<C = unknown> =
  | { field: string; message: Words<C> }
  | { message?: Words<C>; page?: 'start' }
  | { redirect: string; clearChallenge?: true };

/**
 * The domain codes a form explains on its own page, in its own words. Every other code goes to
 * WebExceptionFilter's error page (not_authenticated: to the sign-in page). The status is always
 * statusForCode's, never the table's.
 */
export type FormErrorTable<C = unknown> = Partial<Record<DomainErrorCode, FormErrorEntry<C>>>;

/** A form being submitted: its table, and how it shows itself (or its start page) again. */
export interface FormContext<C = unknown> {
  table: FormErrorTable<C>;
  context: C;
  show: (state: FormState, status: number) => Promise<void>;
  start?: (state: FormState, status: number) => Promise<void>;
}

/** A service refused a form: WebExceptionFilter shows it with the form's table (applyRefusal). */
export class WebFormRefused extends Error {
  constructor(
    readonly error: DomainError,
    readonly form: FormContext<unknown>,
  ) {
    super(error.message);
    this.name = 'WebFormRefused';
  }
}

/** A form whose fields did not validate: WebExceptionFilter shows it again with a 400. */
export class WebFormInvalid extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly form: FormContext<unknown>,
  ) {
    super('invalid form');
    this.name = 'WebFormInvalid';
  }
}

/**
 * The form's fields, validated by the API's DTO (validateForm); if they fail, WebFormInvalid:
 * the form again with a message beside each field.
 */
export async function formValue<T extends object, C>(
  form: FormContext<C>,
  dto: ClassConstructor<T>,
  body: unknown,
  messages: Record<string, string>,
  extra?: Record<string, unknown>,
): Promise<T> {
  const result = await validateForm(dto, body, messages, extra);
  if (!result.ok) throw new WebFormInvalid(result.errors, form as FormContext<unknown>);
  return result.value;
}

/** The form's one service call; a domain refusal leaves it carrying the form to the filter. */
export async function submitForm<T, C>(call: () => Promise<T>, form: FormContext<C>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) {
      throw new WebFormRefused(error, form as FormContext<unknown>);
    }
    throw error;
  }
}

/** What the filter does with a refusal the form's table names (`undefined`: not named there). */
export type RefusalOutcome =
  { kind: 'redirect'; location: string; clearChallenge: boolean } | { kind: 'shown' };

export async function applyRefusal(
  refused: WebFormRefused,
  t: Messages,
  response: Response,
): Promise<RefusalOutcome | undefined> {
  const { error, form } = refused;
  const entry = form.table[error.code];
  if (entry === undefined) return undefined;
  if ('redirect' in entry) {
    return { kind: 'redirect', location: entry.redirect, clearChallenge: !!entry.clearChallenge };
  }
  const text: RefusalText = { t, minutes: () => retryMinutes(error, response) };
  const message = await entry.message?.(text, form.context);
  const state: FormState =
    'field' in entry && message !== undefined
      ? { errors: { [entry.field]: message } }
      : { errors: {}, formError: message };
  const show = 'page' in entry && entry.page === 'start' ? form.start : form.show;
  if (show === undefined) throw new Error(`the form has no start page for ${error.code}`);
  await show(state, statusForCode(error.code));
  return { kind: 'shown' };
}
