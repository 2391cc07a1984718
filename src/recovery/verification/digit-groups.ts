/**
 * Digits as a reader sees them, and standalone groups of exactly four digits: what a sender writes
 * as "the last 4 digits".
 *
 * A digit is any Unicode decimal digit (\p{Nd}): ASCII, fullwidth "４", Arabic-Indic "٤",
 * Extended Arabic-Indic "۴", Devanagari "४", mathematical "𝟒" … A reader takes "４２４２" and
 * "٤٢٤٢" for 4242, and so do evidence matching and masking: one rule for every place that reads
 * digits, so that what counts as a last-4 is also what is masked, and a card number cannot slip
 * past masking by changing script.
 *
 * A group is a maximal run of digits of length 4 that is not glued to a letter or digit and not
 * joined to another digit by a single joiner ("-", ".", ",", "/", ":" or a dash). So "4242",
 * "**** 4242", "slutar på 4242", "4242." and "XXXX-XXXX-XXXX-4242" contain the group 4242, while
 * "14242", "4242-5555", "2024-01-15", "12.4242", "4242,50" and "S4242" do not.
 *
 * Years and other numbers are groups too ("1 januari 2024", "tel 08-555 1234" has "1234"): there
 * is no telling a year from last-4 digits, and counting them is the conservative side — the
 * limit of 3 distinct groups per message (evidence.ts) is the defence against lists of numbers.
 * Digits separated by spaces are separate groups ("4242 5555" has two).
 */

/** One decimal digit of any script (astral ones are two UTF-16 units: use the `u` flag). */
export const DIGIT = /\p{Nd}/u;
const DIGIT_RUN = /\p{Nd}+/gu;
const JOINERS = new Set([
  '-',
  '.',
  ',',
  '/',
  ':',
  '\u2010',
  '\u2011',
  '\u2012',
  '\u2013',
  '\u2014',
]);
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

const digitValues = new Map<number, number>();

/**
 * The value 0–9 of a decimal digit's code point. Unicode encodes every decimal digit set as ten
 * consecutive code points from zero to nine (adjacent sets, such as the mathematical digits, also
 * start at a multiple of ten from the first), so the value is the distance from the start of the
 * run of digits the code point is in, modulo 10. Memoized: at most a few hundred code points.
 */
export function digitValue(codePoint: number): number {
  if (codePoint >= 0x30 && codePoint <= 0x39) return codePoint - 0x30;
  const known = digitValues.get(codePoint);
  if (known !== undefined) return known;
  let first = codePoint;
  while (first > 0 && DIGIT.test(String.fromCodePoint(first - 1))) first--;
  const value = (codePoint - first) % 10;
  digitValues.set(codePoint, value);
  return value;
}

/** The text with every decimal digit of any script written as an ASCII digit. */
export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => String(digitValue(digit.codePointAt(0) as number)));
}

export interface FourDigitGroup {
  /** The four digits as ASCII ("４２４２" → "4242"): what is compared. */
  value: string;
  /** The group exactly as written: what is masked. */
  raw: string;
  /** Offset of the group in the text. */
  start: number;
}

function charBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  const isLowSurrogate = low >= 0xdc00 && low <= 0xdfff && index >= 2;
  return isLowSurrogate ? text.slice(index - 2, index) : text[index - 1];
}

function charAt(text: string, index: number): string | undefined {
  if (index >= text.length) return undefined;
  return String.fromCodePoint(text.codePointAt(index) as number);
}

function isGlued(neighbour: string | undefined, beyond: string | undefined): boolean {
  if (neighbour === undefined) return false;
  if (WORD_CHAR.test(neighbour)) return true;
  return JOINERS.has(neighbour) && beyond !== undefined && DIGIT.test(beyond);
}

/** Every standalone 4-digit group in the text, in order (repeats included); linear. */
export function standaloneFourDigitGroups(text: string): FourDigitGroup[] {
  const groups: FourDigitGroup[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    const raw = match[0];
    // four code points: one UTF-16 unit each, or two for astral digits
    if (raw.length < 4 || raw.length > 8 || [...raw].length !== 4) continue;
    const start = match.index;
    const end = start + raw.length;
    const before = charBefore(text, start);
    const after = charAt(text, end);
    const beyondBefore = before === undefined ? undefined : charBefore(text, start - before.length);
    const beyondAfter = after === undefined ? undefined : charAt(text, end + after.length);
    if (isGlued(before, beyondBefore) || isGlued(after, beyondAfter)) continue;
    groups.push({ value: asciiDigits(raw), raw, start });
  }
  return groups;
}
