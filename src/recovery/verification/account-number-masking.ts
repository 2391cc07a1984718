import { asciiDigits } from './digit-groups';

/**
 * Masking of card numbers and IBANs pasted into a message (masking.ts applies it before the
 * evidence values). Every scan here is linear: explicit loops over digit/alphanumeric runs instead
 * of regexes with nested quantifiers.
 */

const MASK_CHAR = '•';

/** Luhn checksum of a string of ASCII digits. */
export function isLuhnValid(digits: string): boolean {
  return /^[0-9]+$/.test(digits) && luhn(digits);
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
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  // letters count as two digits (A=10 … Z=35)
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/**
 * What may stand between the digit groups of one card number, or the chunks of one IBAN: spaces of
 * every kind (tab, no-break, thin, ideographic…), dashes of every kind (hyphen, en, em, minus…),
 * dots, commas, slashes, underscores, apostrophes, middle dots, invisible format characters (zero
 * width space, soft hyphen…) and combining marks. Senders and their mail programs write numbers
 * every which way; a card number is masked whichever way it was written.
 */
const NUMBER_SEPARATOR = /^[\s\p{Zs}\p{Pd}\p{Cf}\p{M}\u2212.,/\\_'\u2019\u00b7\u2027\u30fb]+$/u;
/** At most this many separator characters between two groups ("4242 – 4242" has three). */
const MAX_SEPARATOR_CHARS = 4;
const DIGIT_RUN = /\p{Nd}+/gu;
const DIGIT_ANY = /\p{Nd}/gu;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

function isNumberSeparator(text: string, from: number, to: number): boolean {
  return to - from <= MAX_SEPARATOR_CHARS && NUMBER_SEPARATOR.test(text.slice(from, to));
}

interface DigitGroup {
  start: number;
  end: number;
  /** The group's digits as ASCII, whatever their script. */
  digits: string;
}

/**
 * Masks every card number: 13–19 decimal digits of any script (digit-groups.ts), written together
 * or in groups with separators between them (NUMBER_SEPARATOR), that pass the Luhn check. Any run
 * of whole consecutive groups is tried, so a card followed by another number ("4242 4242 4242 4242
 * 1 st") is still found; a single run of more than 19 digits is some other number and is left
 * alone, as is a Luhn-invalid run. Every digit of a card becomes "•" and separators stay (`•••• ••••
 * •••• ••••`): nothing of it is kept. At most 19 digits are gathered from each group, so the work
 * is linear.
 */
export function maskCardNumbers(text: string): string {
  const groups: DigitGroup[] = [...text.matchAll(DIGIT_RUN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    digits: asciiDigits(m[0]),
  }));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      if (j > i && !isNumberSeparator(text, groups[j - 1].end, groups[j].start)) break;
      if (digits.length + groups[j].digits.length > 19) break;
      digits += groups[j].digits;
      if (digits.length >= 13 && luhn(digits)) ranges.push([groups[i].start, groups[j].end]);
    }
  }
  // ranges are ordered by start; overlapping ones are merged while writing
  let out = '';
  let position = 0;
  for (const [start, end] of ranges) {
    if (end <= position) continue;
    const from = Math.max(start, position);
    out += text.slice(position, from) + text.slice(from, end).replace(DIGIT_ANY, MASK_CHAR);
    position = end;
  }
  return out + text.slice(position);
}

/** One character of the text as IBAN masking reads it. */
interface IbanChar {
  start: number;
  end: number;
  /** An ASCII letter (upper-cased) or digit it stands for ("Ａ" → "A", "٤" → "4"), else ''. */
  alnum: string;
  separator: boolean;
  /** Any letter or number (ends or glues a word). */
  wordChar: boolean;
}

function ibanChars(text: string): IbanChar[] {
  const chars: IbanChar[] = [];
  for (let start = 0; start < text.length;) {
    const char = String.fromCodePoint(text.codePointAt(start) as number);
    const end = start + char.length;
    const folded = asciiDigits(char.normalize('NFKC')).toUpperCase();
    chars.push({
      start,
      end,
      alnum: /^[A-Z0-9]$/.test(folded) ? folded : '',
      separator: NUMBER_SEPARATOR.test(char),
      wordChar: LETTER_OR_NUMBER.test(char),
    });
    start = end;
  }
  return chars;
}

const isLetter = (c: IbanChar | undefined) => c !== undefined && /[A-Z]/.test(c.alnum);
const isDigit = (c: IbanChar | undefined) => c !== undefined && /[0-9]/.test(c.alnum);

/** Index just past the separators starting at `index`, or -1 if there are more than allowed. */
function skipSeparators(chars: readonly IbanChar[], index: number): number {
  let end = index;
  while (end < chars.length && chars[end].separator && chars[end].alnum === '') end++;
  return chars.slice(index, end).reduce((n, c) => n + c.end - c.start, 0) > MAX_SEPARATOR_CHARS
    ? -1
    : end;
}

/**
 * The end (index into chars) of the longest valid IBAN starting at `start` that ends at a word
 * boundary, or -1. Up to 34 letters/digits are collected, with separators between them.
 */
function ibanEnd(chars: readonly IbanChar[], start: number): number {
  let index = start;
  let iban = '';
  let validEnd = -1;
  while (index < chars.length && iban.length < 34) {
    if (chars[index].alnum === '') {
      const next = skipSeparators(chars, index);
      if (next <= index || next >= chars.length || chars[next].alnum === '') break;
      index = next;
      continue;
    }
    iban += chars[index].alnum;
    index++;
    const atWordEnd = index >= chars.length || !chars[index].wordChar;
    if (iban.length >= 15 && atWordEnd && isValidIban(iban)) validEnd = index;
  }
  return validEnd;
}

/**
 * Masks every IBAN: two letters and two digits not glued to a preceding letter or digit, then
 * letters/digits with separators between them (as for cards), up to 34 letters and digits in all,
 * whose mod-97 check holds. Fullwidth letters and digits of any script are read as the ASCII
 * letters and digits they stand for. The longest valid IBAN ending at a word boundary is taken
 * ("SE45 5000 0000 0583 9825 7466 tack" masks the IBAN, not "tack"). Letters and digits become
 * "•", separators stay.
 */
export function maskIbans(text: string): string {
  const chars = ibanChars(text);
  let out = '';
  let position = 0;
  for (let i = 0; i < chars.length; i++) {
    const starts =
      isLetter(chars[i]) &&
      isLetter(chars[i + 1]) &&
      isDigit(chars[i + 2]) &&
      isDigit(chars[i + 3]) &&
      !chars[i - 1]?.wordChar;
    if (!starts) continue;
    const end = ibanEnd(chars, i);
    if (end < 0) continue;
    out += text.slice(position, chars[i].start);
    for (const c of chars.slice(i, end))
      out += c.alnum === '' ? text.slice(c.start, c.end) : MASK_CHAR;
    position = chars[end - 1].end;
    i = end - 1;
  }
  return out + text.slice(position);
}
