import { domainToASCII } from 'node:url';

/**
 * The key under which a login e-mail is stored and compared: trimmed, lower-cased, with an
 * internationalized domain in its ASCII (punycode) form. Returns undefined for anything that is
 * not a single plain address.
 */
export function normalizeEmail(input: string): string | undefined {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1 || trimmed.length > 254) return undefined;
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1).replace(/\.$/, ''));
  if (domain === '' || !domain.includes('.')) return undefined;
  if (/[\s<>()[\]\\,;:"@]/.test(local) || local.length > 64) return undefined;
  return `${local.toLowerCase()}@${domain.toLowerCase()}`;
}
