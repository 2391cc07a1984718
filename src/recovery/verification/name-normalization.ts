import { asciiDigits } from './digit-groups';

/**
 * Normalization of holder names and the words of a message for comparison: case, accents
 * (Å=A, ö=o, é=e), punctuation and spacing do not matter; word order is handled by the matcher.
 */

/** Letters that Unicode does not decompose into a base letter and a mark. */
const EXTRA_FOLDS: Record<string, string> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const EXTRA_FOLD_CHARS = /[øæœßđðłþı]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const ASCII = /^[\p{ASCII}]*$/u;

/** A word folded for comparison: compatibility-decomposed (fullwidth and ligatures become plain
 *  letters), without accents, lower-case, with ø/æ/ß/… spelled out in ASCII and digits of every
 *  script as ASCII digits (digit-groups.ts). */
export function foldWord(word: string): string {
  if (ASCII.test(word)) return word.toLowerCase();
  return asciiDigits(word.normalize('NFKD'))
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(EXTRA_FOLD_CHARS, (c) => EXTRA_FOLDS[c] ?? c);
}

/** A word is a run of letters, digits and combining marks (so decomposed "Ö" stays in its word);
 *  everything else — spaces, punctuation, line breaks — separates words. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export interface WordToken {
  /** Offset of the first character in the text. */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** foldWord of the word as written. */
  folded: string;
}

/** Every word of a text with its offsets; linear in the text. */
export function wordTokens(text: string): WordToken[] {
  const tokens: WordToken[] = [];
  const word = new RegExp(WORD.source, WORD.flags);
  for (let match = word.exec(text); match !== null; match = word.exec(text)) {
    const folded = foldWord(match[0]);
    if (folded !== '') tokens.push({ start: match.index, end: word.lastIndex, folded });
  }
  return tokens;
}

/** The folded words of a name ("Öberg, Åsa" → ["oberg", "asa"]). */
export function nameWords(name: string): string[] {
  return wordTokens(name).map((token) => token.folded);
}

/**
 * Legal-form designations, as folded word sequences, that may be left out when a company name is
 * written ("Öberg Fysio" for "Öberg Fysio AB"). "ASA" (Norwegian) is deliberately absent: folded,
 * it is the Swedish first name Åsa.
 */
export const LEGAL_FORMS: readonly (readonly string[])[] = [
  ['ab'],
  ['hb'],
  ['kb'],
  ['publ'],
  ['aktiebolag'],
  ['aktiebolaget'],
  ['handelsbolag'],
  ['handelsbolaget'],
  ['kommanditbolag'],
  ['kommanditbolaget'],
  ['ek', 'for'],
  ['ekonomisk', 'forening'],
  ['ltd'],
  ['limited'],
  ['inc'],
  ['incorporated'],
  ['corp'],
  ['corporation'],
  ['llc'],
  ['llp'],
  ['plc'],
  ['gmbh'],
  ['ag'],
  ['oy'],
  ['oyj'],
  ['as'],
  ['a', 's'],
  ['aps'],
  ['bv'],
  ['b', 'v'],
  ['nv'],
  ['n', 'v'],
].sort((a, b) => b.length - a.length);

function endsWith(words: readonly string[], form: readonly string[]): boolean {
  const offset = words.length - form.length;
  return offset >= 0 && form.every((word, i) => words[offset + i] === word);
}

function startsWith(words: readonly string[], form: readonly string[]): boolean {
  return form.length <= words.length && form.every((word, i) => words[i] === word);
}

/** The name without legal forms at its end or start ("AB Öberg Fysio (publ)" → oberg fysio);
 *  never strips the last remaining word. */
export function withoutLegalForms(words: readonly string[]): string[] {
  let core = [...words];
  for (let changed = true; changed;) {
    changed = false;
    for (const form of LEGAL_FORMS) {
      if (core.length > form.length && endsWith(core, form)) {
        core = core.slice(0, core.length - form.length);
        changed = true;
      } else if (core.length > form.length && startsWith(core, form)) {
        core = core.slice(form.length);
        changed = true;
      }
    }
  }
  return core;
}

/**
 * The words a message must contain, as one run in any order, for the holder name to count:
 * - the name without its legal form, when that leaves at least two words ("Öberg Fysio AB" needs
 *   "öberg" and "fysio"; "AB" may be added or left out);
 * - otherwise the whole name, legal form included ("Spotify AB" needs both words: "Spotify"
 *   alone is far too common a word to prove anything);
 * - a one-word name needs that word (the billing data holds nothing better).
 * Returns [] for a name without words.
 */
export function requiredNameWords(holderName: string): string[] {
  const words = nameWords(holderName);
  const core = withoutLegalForms(words);
  return core.length >= 2 ? core : words;
}
