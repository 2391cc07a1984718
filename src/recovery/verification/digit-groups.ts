/**
 * Standalone groups of exactly four digits: what a sender writes as "the last 4 digits".
 *
 * A group is a maximal run of ASCII digits of length 4 that is not glued to a letter or digit and
 * not joined to another digit by a single joiner ("-", ".", ",", "/", ":" or a dash). So "4242",
 * "**** 4242", "slutar på 4242", "4242." and "XXXX-XXXX-XXXX-4242" contain the group 4242, while
 * "14242", "4242-5555", "2024-01-15", "12.4242", "4242,50" and "S4242" do not.
 *
 * Years and other numbers are groups too ("1 januari 2024", "tel 08-555 1234" has "1234"): there
 * is no telling a year from last-4 digits, and counting them is the conservative side — the
 * limit of 3 distinct groups per message (evidence.ts) is the defence against lists of numbers.
 * Digits separated by spaces are separate groups ("4242 5555" has two). Digits in other scripts
 * (fullwidth, Arabic-Indic) are not counted.
 */

const DIGIT_RUN = /\d+/g;
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
const ASCII_DIGIT = /[0-9]/;

export interface FourDigitGroup {
  value: string;
  /** Offset of the group in the text. */
  start: number;
}

function isGlued(neighbour: string | undefined, beyond: string | undefined): boolean {
  if (neighbour === undefined) return false;
  if (WORD_CHAR.test(neighbour)) return true;
  return JOINERS.has(neighbour) && beyond !== undefined && ASCII_DIGIT.test(beyond);
}

/** Every standalone 4-digit group in the text, in order (repeats included); linear. */
export function standaloneFourDigitGroups(text: string): FourDigitGroup[] {
  const groups: FourDigitGroup[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    if (match[0].length !== 4) continue;
    const start = match.index;
    const end = start + 4;
    if (isGlued(text[start - 1], text[start - 2]) || isGlued(text[end], text[end + 1])) continue;
    groups.push({ value: match[0], start });
  }
  return groups;
}
