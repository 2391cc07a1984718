import { plainToInstance } from 'class-transformer';
import type { ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import type { FieldErrors } from './web-pages.service';
import { CSRF_FIELD } from './web-csrf';

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Validates a submitted form with the same class-validator DTO the API uses, with the API's
 * options (whitelist, no unknown fields), but returns the failing fields instead of throwing, so
 * the page can show a message next to each. `messages` names the text per field; the DTO's own
 * English message is never shown (the page speaks the user's language). `UNKNOWN_FIELDS` collects
 * fields the form should not have had.
 */
export async function validateForm<T extends object>(
  dto: ClassConstructor<T>,
  body: unknown,
  messages: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<FormResult<T>> {
  const submitted: Record<string, unknown> = {};
  if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key !== CSRF_FIELD) submitted[key] = value;
    }
  }
  // an absent field must stay absent, so the DTO's own defaults apply (page = 1)
  const plain = Object.fromEntries(
    Object.entries({ ...submitted, ...extra }).filter(([, value]) => value !== undefined),
  );
  const instance = plainToInstance(dto, plain);
  const failures = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (failures.length === 0) return { ok: true, value: instance };
  const errors: FieldErrors = {};
  for (const failure of failures) {
    const known = failure.property in messages;
    const key = known ? failure.property : UNKNOWN_FIELDS;
    errors[key] ??= known ? messages[failure.property] : (messages[UNKNOWN_FIELDS] ?? '');
  }
  return { ok: false, errors };
}

export const UNKNOWN_FIELDS = '_form';

/** A form field as text: browsers send strings; anything else (arrays from `a=1&a=2`) is ignored. */
export function textField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
