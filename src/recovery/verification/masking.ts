import { maskCardNumbers, maskIbans } from './account-number-masking';
import { standaloneFourDigitGroups } from './digit-groups';
import { nameSpans } from './name-candidates';
import { wordTokens } from './name-normalization';
import { truncateAtWhitespace } from './visible-text';

/**
 * Masking of what agents may read of a message (`bodyExcerpt`, GET /api/recovery/requests/:id): full card numbers,
 * IBANs and every evidence value the sender wrote. Billing values are never shown to agents; a
 * pasted card number or IBAN must not linger in anything stored for display.
 *
 * Every scan here is linear: explicit loops over digit/alphanumeric runs instead of regexes with
 * nested quantifiers.
 */

/** What a masked evidence value becomes; the same for every value, so its length is not shown. */
export const EVIDENCE_MASK = '••••';

export const BODY_EXCERPT_MAX_CHARS = 500;

type Range = [start: number, end: number];

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** Whether a word ends at `index` (past the end of the text counts). */
function endsWord(text: string, index: number): boolean {
  return index >= text.length || !/[\p{L}\p{N}\p{M}]/u.test(text[index]);
}

/**
 * Where the evidence values occur as whole words. Values start with a letter or digit (they are
 * words or runs of words), so only word starts are tried, each against the distinct value lengths,
 * longest first: linear in the text times the number of distinct lengths.
 */
function valueRanges(text: string, values: readonly string[]): Range[] {
  const set = new Set(values.filter((value) => value.trim() !== ''));
  if (set.size === 0) return [];
  const lengths = [...new Set([...set].map((value) => value.length))].sort((a, b) => b - a);
  const ranges: Range[] = [];
  let position = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const start = match.index;
    if (start < position) continue;
    const length = lengths.find(
      (l) => set.has(text.slice(start, start + l)) && endsWord(text, start + l),
    );
    if (length === undefined) continue;
    ranges.push([start, start + length]);
    position = start + length;
  }
  return ranges;
}

/**
 * Replaces the ranges with EVIDENCE_MASK. Ranges that overlap, or that only punctuation, spaces and
 * masked digits separate, become one mask: "Öberg, Åsa", "Anna Berg, Per Persson" and "4242" all
 * read "••••", so neither the length of a value, nor how many words it has, nor where one masked
 * value ends and the next begins is shown.
 */
function replaceRanges(text: string, ranges: readonly Range[]): string {
  const merged: Range[] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (
      last !== undefined &&
      (start <= last[1] || !LETTER_OR_NUMBER.test(text.slice(last[1], start)))
    ) {
      last[1] = Math.max(last[1], end);
    } else {
      merged.push([start, end]);
    }
  }
  let out = '';
  let position = 0;
  for (const [start, end] of merged) {
    out += text.slice(position, start) + EVIDENCE_MASK;
    position = end;
  }
  return out + text.slice(position);
}

/**
 * Replaces every occurrence of the evidence values (as whole words) with EVIDENCE_MASK, and with
 * them every person- or company-like name of the text (nameSpans). Names are found from
 * the text alone: the holder's name is masked like every other name in the message, so the
 * masking does not tell which of them is the holder — nor, when a list of names is sent for
 * several users, for which user one of them matched. Digit groups and student-ID-shaped runs are
 * masked likewise, all of them (evidence.ts lists every one the sender wrote).
 */
export function maskEvidenceValues(text: string, values: readonly string[]): string {
  return replaceRanges(text, [...valueRanges(text, values), ...nameSpans(text, wordTokens(text))]);
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
  const groups = standaloneFourDigitGroups(text).map((group) => group.raw);
  return maskSensitiveText(text, [...evidenceValues, ...groups]);
}
