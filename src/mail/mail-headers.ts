import { randomUUID } from 'node:crypto';

/**
 * Header values for outbound mail. Threading ids come from inbound messages, i.e. from strangers:
 * only well-formed `<id@domain>` values are kept, so nothing can smuggle a line break into a header.
 */

/** RFC 5322 msg-id `<left@right>`: printable ASCII, no spaces, no brackets or `@` in the parts. */
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f\x41-\x7e]{1,250}@[\x21-\x3b\x3d\x3f\x41-\x7e]{1,250}>$/;
const MAX_REFERENCES = 20;

/** `<id>` for a well-formed id (brackets added when missing), undefined otherwise. */
export function normalizeMessageId(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  const bracketed = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
  return MESSAGE_ID.test(bracketed) ? bracketed : undefined;
}

/** The well-formed ids, de-duplicated, keeping the most recent ones when there are too many. */
export function normalizeReferences(values: readonly string[] | undefined): string[] {
  const ids: string[] = [];
  for (const value of values ?? []) {
    // a References header is a list of <id>s; anything outside the brackets is ignored
    for (const part of value.match(/<[^<>]*>/g) ?? []) {
      const id = normalizeMessageId(part);
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
  }
  return ids.slice(-MAX_REFERENCES);
}

/** A single recipient: one address, no display name, no list, no header tricks. */
const RECIPIENT = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

export function isValidRecipient(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 320 && RECIPIENT.test(value);
}

/** The domain of MAIL_FROM (`Name <a@b>` or `a@b`), used for our own Message-IDs. */
export function mailFromDomain(mailFrom: string): string {
  const address = /<([^>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  return address.slice(address.lastIndexOf('@') + 1).trim() || 'localhost';
}

export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}
