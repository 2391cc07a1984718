import { matchesAny } from './constant-time';
import type { WordToken } from './name-normalization';

/**
 * Holder-name matching: the required words of a holder name (name-normalization.ts) must appear
 * as one run of consecutive words in the message, in any order ("Öberg, Åsa" for "Åsa Öberg"),
 * with word boundaries (a name inside a longer word does not count). Words of the run may be
 * separated by at most MAX_GAP characters of punctuation or space and at most one line break, so
 * that a name is not assembled from the last word of one paragraph and the first of the next.
 *
 * Names only ever match or are absent: there is no telling a wrong name from any other words, so
 * a name never makes a message "present but wrong".
 */

const MAX_GAP = 5;

export interface HolderNameMatch {
  matched: boolean;
  /** Every run that matched, exactly as written (for masking). */
  values: string[];
}

/** The words sorted and joined by single spaces, as UTF-8; written into `scratch` when given
 *  (a view of it is returned — compare before the next call), to spare an allocation per run. */
function canonical(words: readonly string[], scratch?: Buffer): Buffer {
  const text = [...words].sort().join(' ');
  if (scratch === undefined || Buffer.byteLength(text) > scratch.length) return Buffer.from(text);
  return scratch.subarray(0, scratch.write(text, 'utf8'));
}

/**
 * Whether any run of the text matches any of the names (each given as its required words).
 * Every run of the right word count is considered; one whose canonical byte length differs from
 * every name's is dismissed without building it (lengths are not the secret, see
 * constant-time.ts), the others are compared with every name of that word count in constant time.
 */
export function matchHolderNames(
  text: string,
  tokens: readonly WordToken[],
  names: readonly (readonly string[])[],
): HolderNameMatch {
  const byCount = new Map<number, Buffer[]>();
  for (const words of names) {
    if (words.length === 0 || words.length > tokens.length) continue;
    const list = byCount.get(words.length) ?? [];
    list.push(canonical(words));
    byCount.set(words.length, list);
  }
  // bytesBefore[i]: UTF-8 bytes of the folded words before word i, for O(1) run lengths
  const bytesBefore = [0];
  for (const token of tokens) {
    bytesBefore.push(bytesBefore[bytesBefore.length - 1] + Buffer.byteLength(token.folded));
  }
  // gapOk[i]: words i and i+1 may belong to one name
  const gapOk = tokens.slice(0, -1).map((token, i) => {
    const to = tokens[i + 1].start;
    if (to - token.end > MAX_GAP) return false;
    let breaks = 0;
    for (let c = token.end; c < to; c++) if (text.charCodeAt(c) === 0x0a) breaks++;
    return breaks <= 1;
  });
  const values: string[] = [];
  let matched = false;
  const scratch = Buffer.alloc(256);
  for (const [count, secrets] of byCount) {
    const lengths = new Set(secrets.map((secret) => secret.length));
    let brokenUntil = -1; // runs starting at or before this word cross a gap that is not ok
    for (let end = 0; end < tokens.length; end++) {
      if (end > 0 && !gapOk[end - 1]) brokenUntil = end - 1;
      const start = end - count + 1;
      if (start < 0 || start <= brokenUntil) continue;
      if (!lengths.has(bytesBefore[end + 1] - bytesBefore[start] + count - 1)) continue;
      const run = tokens.slice(start, end + 1).map((token) => token.folded);
      if (matchesAny(canonical(run, scratch), secrets)) {
        matched = true;
        values.push(text.slice(tokens[start].start, tokens[end].end));
      }
    }
  }
  return { matched, values };
}
