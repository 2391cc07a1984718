import { truncateAtWhitespace } from './visible-text';
import { standaloneFourDigitGroups } from './digit-groups';

/**
 * Masking of what agents may read of a message (`bodyExcerpt`, CONTRACT §2): full card numbers,
 * IBANs and every evidence value the sender wrote. Billing values are never shown to agents; a
 * pasted card number or IBAN must not linger in anything stored for display.
 *
 * Every scan here is linear: explicit loops over digit/alphanumeric runs instead of regexes with
 * nested quantifiers.
 */

/** What a masked evidence value becomes; the same for every value, so its length is not shown. */
export const EVIDENCE_MASK = '••••';
const MASK_CHAR = '•';

export const BODY_EXCERPT_MAX_CHARS = 500;

/** Luhn checksum of a string of ASCII digits. */
export function isLuhnValid(digits: string): boolean {
  return /^\d+$/.test(digits) && luhn(digits);
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: 2 letters, 2 check digits, 11–30 alphanumerics, and mod 97 of the
 *  rearranged number equal to 1. Spaces are ignored. */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  // letters count as two digits (A=10 … Z=35)
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/** Digit groups separated by a single space, dash or non-breaking space form one sequence. */
function isCardSeparator(text: string, from: number, to: number): boolean {
  if (to - from !== 1) return false;
  const code = text.charCodeAt(from);
  return code === 0x20 || code === 0x2d || code === 0xa0;
}

function isAsciiAlphanumeric(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a)
  );
}

/** Whether the character at `index` (past the end counts as none) ends a word. */
function endsWord(text: string, index: number): boolean {
  if (index >= text.length) return true;
  const code = text.charCodeAt(index);
  if (code < 0x80) return !isAsciiAlphanumeric(code);
  return !/[\p{L}\p{N}]/u.test(text[index]);
}

/**
 * Masks every card number: 13–19 digits, written together or in groups separated by single spaces
 * or dashes, that pass the Luhn check. Any run of whole consecutive groups is tried, so a card
 * followed by another number ("4242 4242 4242 4242 1 st") is still found; a single run of more
 * than 19 digits is some other number and is left alone, as is a Luhn-invalid run. Every digit
 * of a card becomes "•" and separators stay (`•••• •••• •••• ••••`): nothing of it is kept.
 * At most 19 digits are gathered from each group, so the work is linear.
 */
export function maskCardNumbers(text: string): string {
  const groups = [...text.matchAll(/\d+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      if (j > i && !isCardSeparator(text, groups[j - 1].end, groups[j].start)) break;
      if (digits.length + groups[j].end - groups[j].start > 19) break;
      digits += text.slice(groups[j].start, groups[j].end);
      if (digits.length >= 13 && luhn(digits)) ranges.push([groups[i].start, groups[j].end]);
    }
  }
  // ranges are ordered by start; overlapping ones are merged while writing
  let out = '';
  let position = 0;
  for (const [start, end] of ranges) {
    if (end <= position) continue;
    const from = Math.max(start, position);
    out += text.slice(position, from) + text.slice(from, end).replace(/\d/g, MASK_CHAR);
    position = end;
  }
  return out + text.slice(position);
}

/**
 * Masks every IBAN: two letters and two digits not glued to a preceding letter or digit, then
 * letters/digits with optional single spaces, up to 34 characters in all, whose mod-97 check
 * holds. The longest valid prefix ending at a word boundary is taken ("SE45 5000 0000 0583 9825
 * 7466 tack" masks the IBAN, not "tack"). Letters and digits become "•", spaces stay.
 */
export function maskIbans(text: string): string {
  let out = '';
  let position = 0;
  for (const match of text.matchAll(/(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}/gu)) {
    const start = match.index;
    if (start < position) continue;
    // collect up to 34 alphanumerics with single spaces between them
    let end = start;
    let count = 0;
    const boundaries: number[] = [];
    while (end < text.length && count < 34) {
      const code = text.charCodeAt(end);
      if (isAsciiAlphanumeric(code)) {
        end++;
        count++;
        if (count >= 15 && endsWord(text, end)) boundaries.push(end);
      } else if (code === 0x20 && isAsciiAlphanumeric(text.charCodeAt(end + 1))) {
        end++;
      } else {
        break;
      }
    }
    const validEnd = boundaries.reverse().find((b) => isValidIban(text.slice(start, b)));
    if (validEnd === undefined) continue;
    out +=
      text.slice(position, start) + text.slice(start, validEnd).replace(/[A-Za-z0-9]/g, MASK_CHAR);
    position = validEnd;
  }
  return out + text.slice(position);
}

/**
 * Replaces every occurrence of the evidence values with EVIDENCE_MASK. Values start with a letter
 * or digit (they are words or runs of words), so only word starts are tried, each against the
 * distinct value lengths, longest first: linear in the text times the number of distinct lengths.
 * Over-masking (a value that also occurs inside a longer number) is accepted.
 */
export function maskEvidenceValues(text: string, values: readonly string[]): string {
  const set = new Set(values.filter((value) => value.trim() !== ''));
  if (set.size === 0) return text;
  const lengths = [...new Set([...set].map((value) => value.length))].sort((a, b) => b - a);
  let out = '';
  let position = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const start = match.index;
    if (start < position) continue;
    const length = lengths.find((l) => set.has(text.slice(start, start + l)));
    if (length === undefined) continue;
    out += text.slice(position, start) + EVIDENCE_MASK;
    position = start + length;
  }
  return out + text.slice(position);
}

/** Cards and IBANs first (they need the raw digits), then the sender's evidence values. */
export function maskSensitiveText(text: string, evidenceValues: readonly string[]): string {
  return maskEvidenceValues(maskIbans(maskCardNumbers(text)), evidenceValues);
}

/**
 * The agents' `bodyExcerpt`: the first `maxChars` characters of the visible text after masking
 * (the whole text is masked first, so a value cut by the excerpt's end is masked too), cut at
 * whitespace, with "…" when something was left out.
 */
export function buildBodyExcerpt(
  visibleText: string,
  evidenceValues: readonly string[],
  maxChars: number = BODY_EXCERPT_MAX_CHARS,
): string {
  const masked = maskSensitiveText(visibleText, evidenceValues);
  if (masked.length <= maxChars) return masked;
  return `${truncateAtWhitespace(masked, maxChars - 1).trimEnd()}…`;
}

/**
 * A header shown to agents (a subject line). Evidence is never read from it, but a sender may
 * write it there: card numbers, IBANs and every standalone 4-digit group are masked, plus any
 * evidence values found in the body.
 */
export function maskHeaderForDisplay(text: string, evidenceValues: readonly string[] = []): string {
  const groups = standaloneFourDigitGroups(text).map((group) => group.value);
  return maskSensitiveText(text, [...evidenceValues, ...groups]);
}
