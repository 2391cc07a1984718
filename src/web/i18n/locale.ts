import type { Locale } from '../../accounts/user.entity';
import { en } from './messages-en';
import type { Messages } from './messages-en';
import { sv } from './messages-sv';

export type { Locale, Messages };

export const LOCALES: readonly Locale[] = ['sv', 'en'];

const dictionaries: Record<Locale, Messages> = { sv, en };

export function messages(locale: Locale): Messages {
  return dictionaries[locale];
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first supported language of an Accept-Language header, by quality ("sv-SE,sv;q=0.9,en;q=0.8"
 * → sv). Unknown or malformed parts are skipped.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (header === undefined) return undefined;
  const ranked = header
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag.toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => isLocale(entry.base) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.base as Locale | undefined;
}

/**
 * The page language: an explicit choice (the ?lang= switch, kept in a cookie) first, then the
 * signed-in user's locale, then the browser's Accept-Language, then English.
 */
export function chooseLocale(input: {
  cookie?: unknown;
  userLocale?: string;
  acceptLanguage?: string;
}): Locale {
  if (isLocale(input.cookie)) return input.cookie;
  if (isLocale(input.userLocale)) return input.userLocale;
  return localeFromAcceptLanguage(input.acceptLanguage) ?? 'en';
}
