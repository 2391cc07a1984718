import { withoutLegalForms, type WordToken } from './name-normalization';
import { CONJUNCTIONS, FUNCTION_WORDS, PARTICLES } from './name-words';

/**
 * Person- or company-like names a message lists, found from the text alone (never from billing
 * data, so that neither the count nor the masking built on it depends on whose name is right).
 *
 * A message naming many people or companies proves nothing about the holder name: with 20 or 200
 * names, one of them is likely right. evidence.ts counts the candidates found here and calls the
 * message ambiguous above MAX_NAME_CANDIDATES; masking.ts masks every candidate, so that the
 * holder's name looks like all the others.
 *
 * The text is cut into segments: runs of content words (letters, no digits, not a common word
 * from FUNCTION_WORDS) joined by what may sit inside a name — a space, a hyphen, an apostrophe,
 * the dot after an initial ("A. Berg"). Anything else ends a segment: a comma, a line break, a
 * digit, a common word. A segment yields candidates when
 * - it is a whole list item of at most MAX_ITEM_WORDS words (not a label before a colon, and
 *   without lower-case words around a capitalised name), bounded on both sides by list or sentence punctuation (comma,
 *   semicolon, colon, line break, tab, bullet, brackets, quotes, dashes, sentence ends, the
 *   ideographic and Arabic commas…), a conjunction ("and", "och", "or"…), two or more spaces, or
 *   the text's edge. Case does not matter, so this also finds lower-case lists and names in
 *   scripts without capitals ("王伟、李娜", "محمد أحمد، علي حسن");
 * - or, inside running text, it holds two or more consecutive Capitalised words ("my colleague
 *   Anna Berg can confirm"): a single capitalised word in a sentence is too often just its first
 *   word, a place or a product.
 * A candidate of n words (legal forms left out) counts as ceil(n / 2) names: a name has about two words, and a list
 * written without separators ("Åsa Öberg Per Persson Elin Karlsson") is several names glued
 * together. Candidates are compared ignoring case, accents, word order and legal forms, so "Öberg
 * Fysio AB" written twice, or "Öberg, Åsa" and "Åsa Öberg", count once.
 *
 * Not caught: lower-case names in running prose with no punctuation between them ("i know åsa
 * öberg per persson …") cannot be told from prose without a dictionary of names. Such a message
 * reaches an agent as what it is, a list of words.
 */

/**
 * More than this many distinct names (weighted as above) → ambiguous_evidence. An ordinary letter
 * names the holder, the sender's own signature, the clinic, a colleague or two and a city or
 * hospital — five to eight; the specs beside this file hold such letters. A list of candidate
 * names is longer than that. A message may so try at most 10 names at once, and 3 messages a day
 * (the evidence failure limit).
 */
export const MAX_NAME_CANDIDATES = 10;

export interface NameCandidate {
  /** Offset of the first character of the candidate in the text. */
  start: number;
  /** Offset just past its last character. */
  end: number;
  /** Its folded words without legal forms, sorted: equal for the same name written otherwise. */
  key: string;
  /** How many names it stands for: ceil(words / 2), legal forms left out. */
  weight: number;
}

/** A list item has at most this many words; a longer run of words without a common word among
 *  them is prose in a language FUNCTION_WORDS does not cover, or a list glued together, which
 *  only counts when capitalised (capitalisedRuns). */
const MAX_ITEM_WORDS = 4;
/** "Hållare:", "Name:": a word before a colon is a label, not a name. */
const LABEL = /[ \t]*:/y;
/** Characters that may sit between two words of one name (the dot only after an initial). */
const NAME_GAP = /^[ \-\u2010\u2011'\u2019.]{1,3}$/;
/** Characters that end a list item or a sentence. */
const ITEM_BREAK =
  /[\n\t,;:|()[\]{}"“”„«»!?.¡¿、，；：。·•\u2022\u2023\u2043\u25e6\u2013\u2014\u060c\u061b\u061f/\\*]| {2}/;
const CAPITAL = /^[\p{Lu}\p{Lt}]/u;
const NUMBER = /\p{N}/u;
/** Hiragana is the grammar script of Japanese: a word holding it is prose, not a name. */
const HIRAGANA = /\p{Script=Hiragana}/u;

type Kind = 'name' | 'capital' | 'common' | 'conjunction';

interface ClassifiedToken extends WordToken {
  kind: Kind;
}

function classify(text: string, token: WordToken): Kind {
  if (CONJUNCTIONS.has(token.folded) || text[token.start] === '&') return 'conjunction';
  const capital = CAPITAL.test(text.slice(token.start, token.start + 2));
  // "A. Berg": an initial, not the article
  if (capital && token.end - token.start === 1 && text[token.end] === '.') return 'capital';
  if (FUNCTION_WORDS.has(token.folded) || PARTICLES.has(token.folded)) return 'common';
  if (NUMBER.test(token.folded) || HIRAGANA.test(token.folded)) return 'common';
  return capital ? 'capital' : 'name';
}

function isNameGap(text: string, left: WordToken, right: WordToken): boolean {
  const gap = text.slice(left.end, right.start);
  if (!NAME_GAP.test(gap)) return false;
  // "A. Berg": the dot of an initial; a dot after a longer word ends a sentence
  return !gap.includes('.') || [...left.folded].length === 1;
}

function candidate(tokens: readonly WordToken[], from: number, to: number): NameCandidate {
  const words = withoutLegalForms(tokens.slice(from, to + 1).map((token) => token.folded));
  return {
    start: tokens[from].start,
    end: tokens[to].end,
    key: words.sort().join(' '),
    weight: Math.ceil(words.length / 2),
  };
}

/** The particles of a name are only part of it between two capitalised words. */
function isParticle(tokens: readonly ClassifiedToken[], i: number): boolean {
  return (
    PARTICLES.has(tokens[i].folded) &&
    tokens[i].kind !== 'capital' &&
    tokens[i - 1]?.kind === 'capital' &&
    tokens[i + 1]?.kind === 'capital'
  );
}

/** Runs of two or more capitalised words (particles between them included) in tokens[from..to]. */
function capitalisedRuns(
  text: string,
  tokens: readonly ClassifiedToken[],
  from: number,
  to: number,
): NameCandidate[] {
  const found: NameCandidate[] = [];
  let start = -1;
  for (let i = from; i <= to + 1; i++) {
    const inRun =
      i <= to && (tokens[i].kind === 'capital' || (start >= 0 && isParticle(tokens, i)));
    if (inRun && start < 0) start = i;
    if (!inRun && start >= 0) {
      if (i - 1 > start) found.push(candidate(tokens, start, i - 1));
      start = -1;
    }
  }
  return found;
}

function classifyAll(text: string, words: readonly WordToken[]): ClassifiedToken[] {
  const tokens: ClassifiedToken[] = words.map((token) => ({
    ...token,
    kind: classify(text, token),
  }));
  for (let i = 1; i < tokens.length - 1; i++) {
    if (tokens[i].kind === 'common' && isParticle(tokens, i)) tokens[i].kind = 'name';
  }
  return tokens;
}

/** Every name candidate of the text, in order; linear in the text. */
export function nameCandidates(text: string, words: readonly WordToken[]): NameCandidate[] {
  return candidatesOf(text, classifyAll(text, words));
}

const SENTENCE_START = /[.!?\n]/;

function startsSentence(text: string, tokens: readonly WordToken[], i: number): boolean {
  return i === 0 || SENTENCE_START.test(text.slice(tokens[i - 1].end, tokens[i].start));
}

/**
 * What masking hides as names (masking.ts), from the text alone: every candidate, and every other
 * capitalised word that is not a common word — "Öberg" in "står på Öberg, Åsa" is not counted as a
 * name of its own, but it must be masked like "Berg" in "Berg, Anna" or the holder's name would
 * stand out. A sentence's first word followed by a lower-case word is left readable ("Tappade min
 * telefon"): it is a sentence, not a name; so is a label before a colon ("Hållare:").
 */
export function nameSpans(text: string, words: readonly WordToken[]): Array<[number, number]> {
  const tokens = classifyAll(text, words);
  const spans = candidatesOf(text, tokens).map((c): [number, number] => [c.start, c.end]);
  tokens.forEach((token, i) => {
    if (token.kind !== 'capital') return;
    const next = tokens[i + 1];
    const sentenceStart = startsSentence(text, tokens, i);
    const beforeLowerCase =
      next !== undefined &&
      next.kind !== 'capital' &&
      /^ +$/.test(text.slice(token.end, next.start));
    LABEL.lastIndex = token.end;
    const label = LABEL.test(text);
    if (!label && !(sentenceStart && beforeLowerCase)) spans.push([token.start, token.end]);
  });
  return spans;
}

function candidatesOf(text: string, tokens: readonly ClassifiedToken[]): NameCandidate[] {
  const found: NameCandidate[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i].kind === 'common' || tokens[i].kind === 'conjunction') {
      i++;
      continue;
    }
    let end = i;
    while (
      end + 1 < tokens.length &&
      (tokens[end + 1].kind === 'capital' || tokens[end + 1].kind === 'name') &&
      isNameGap(text, tokens[end], tokens[end + 1])
    ) {
      end++;
    }
    const startsItem = i === 0 || boundsItem(text, tokens, i - 1, i);
    const endsItem = end === tokens.length - 1 || boundsItem(text, tokens, end, end + 1);
    LABEL.lastIndex = tokens[end].end;
    // "hållare Öberg Fysio AB": lower-case words around a capitalised name are no part of it
    let from = i;
    let to = end;
    if (tokens.slice(i, end + 1).some((token) => token.kind === 'capital')) {
      while (tokens[from].kind !== 'capital') from++;
      while (tokens[to].kind !== 'capital') to--;
    }
    // "Förlorad telefon – hjälp": a sentence's first word before a lower-case word is no name
    const sentence = from === i && to === i && end > i && startsSentence(text, tokens, i);
    if (startsItem && endsItem && !sentence && !LABEL.test(text) && to - from < MAX_ITEM_WORDS) {
      found.push(candidate(tokens, from, to));
    } else {
      found.push(...capitalisedRuns(text, tokens, i, end));
    }
    i = end + 1;
  }
  return pairSingleWords(text, found);
}

/** What the holder-name matcher (holder-name.ts) lets stand between two words of one name. */
const MATCHER_GAP = /^[^\p{L}\p{N}\p{M}]{1,5}$/u;

/**
 * One-word candidates next to each other ("Karlsson, Elin, Persson, Per") are read by the matcher
 * as two-word names in either order, across the comma: each such adjacent pair is a name (weight
 * 1) in place of its single words, so a surname-first list counts every name it offers. A lone
 * lower-case word is dropped: written as a list item of its own, it is a word, not a name.
 */
function pairSingleWords(text: string, found: readonly NameCandidate[]): NameCandidate[] {
  const out: NameCandidate[] = [];
  const isSingle = (c: NameCandidate | undefined) => c !== undefined && !c.key.includes(' ');
  const joined = (a: NameCandidate, b: NameCandidate) => {
    const gap = text.slice(a.end, b.start);
    return MATCHER_GAP.test(gap) && gap.split('\n').length <= 2;
  };
  found.forEach((c, i) => {
    const next = found[i + 1];
    const previous = found[i - 1];
    const pairsForward = isSingle(c) && isSingle(next) && joined(c, next);
    const pairedBack = isSingle(c) && isSingle(previous) && joined(previous, c);
    if (pairsForward) {
      const key = [c.key, next.key].sort().join(' ');
      out.push({ start: c.start, end: next.end, key, weight: 1 });
    } else if (!pairedBack && !(isSingle(c) && /^\p{Ll}/u.test(text.slice(c.start, c.end)))) {
      // a lone lower-case word ("hjälp", "thanks") is a word, not a name
      out.push(c);
    }
  });
  return out;
}

/** Whether what lies between tokens[left] and tokens[right] ends a list item. */
function boundsItem(
  text: string,
  tokens: readonly ClassifiedToken[],
  left: number,
  right: number,
): boolean {
  if (tokens[left].kind === 'conjunction' || tokens[right].kind === 'conjunction') return true;
  return ITEM_BREAK.test(text.slice(tokens[left].end, tokens[right].start));
}

/** The number of distinct names the text lists: each distinct candidate counted by its weight. */
export function countDistinctNames(candidates: readonly NameCandidate[]): number {
  const weights = new Map<string, number>();
  for (const { key, weight } of candidates) weights.set(key, weight);
  let total = 0;
  for (const weight of weights.values()) total += weight;
  return total;
}
