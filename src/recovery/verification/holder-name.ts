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

function canonical(words: readonly string[]): Buffer {
  return Buffer.from([...words].sort().join(' '), 'utf8');
}

/** Whether any run of the text matches any of the names (each given as its required words). */
export function matchHolderNames(
  text: string,
  tokens: readonly WordToken[],
  names: readonly (readonly string[])[],
): HolderNameMatch {
  const byLength = new Map<number, Buffer[]>();
  for (const words of names) {
    if (words.length === 0 || words.length > tokens.length) continue;
    const list = byLength.get(words.length) ?? [];
    list.push(canonical(words));
    byLength.set(words.length, list);
  }
  // gapOk[i]: tokens i and i+1 may belong to one name
  const gapOk = tokens.slice(0, -1).map((token, i) => {
    const gap = text.slice(token.end, tokens[i + 1].start);
    return gap.length <= MAX_GAP && gap.indexOf('\n') === gap.lastIndexOf('\n');
  });
  const values: string[] = [];
  let matched = false;
  for (const [length, secrets] of byLength) {
    let brokenUntil = -1; // last window start whose run crosses a gap that is not ok
    for (let end = 0; end < tokens.length; end++) {
      if (end > 0 && !gapOk[end - 1]) brokenUntil = end - 1;
      const start = end - length + 1;
      if (start < 0 || start <= brokenUntil) continue;
      const run = tokens.slice(start, end + 1);
      if (matchesAny(canonical(run.map((token) => token.folded)), secrets)) {
        matched = true;
        values.push(text.slice(tokens[start].start, tokens[end].end));
      }
    }
  }
  return { matched, values };
}
