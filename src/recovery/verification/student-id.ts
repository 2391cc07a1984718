import { foldWord, type WordToken } from './name-normalization';

/**
 * Student IDs for academic organizations, compared ignoring case, spaces and dashes:
 * "s 2024 00123" and "S202400123" are "S-2024-00123".
 *
 * What counts as a student ID the sender wrote (independent of the billing value, so the search
 * itself reveals nothing): a run of 1–MAX_CHUNKS words joined only by spaces or dashes (at most 3
 * such characters between two words, no line break) that contains a digit and has the SHAPE of one
 * of the organization's student IDs — letters and digits in the same positions ("S-2024-00124"
 * has the shape of "S-2024-00123"; a date "2024-01-15" does not). A run inside a longer
 * dash-joined code ("X-S-2024-00123", "S-2024-00123-7") or inside a longer word does not count.
 * Such a run that equals no student ID is "present but wrong" (evidence_mismatch).
 *
 * The shape is the only thing the search learns from the billing data; ID formats are public
 * (universities print them on cards), the IDs are not.
 */

const MAX_CHUNKS = 12;
const MAX_JOIN = 3;

function isDash(code: number): boolean {
  return code === 0x2d || (code >= 0x2010 && code <= 0x2015);
}

/** How the gap between two words joins them: 'dash' (dashes only), 'space' (spaces/tabs and
 *  maybe dashes), or null (anything else, or longer than MAX_JOIN). No substring is built. */
function joinKind(text: string, from: number, to: number): 'dash' | 'space' | null {
  if (to - from < 1 || to - from > MAX_JOIN) return null;
  let spaced = false;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09) spaced = true;
    else if (!isDash(code)) return null;
  }
  return spaced ? 'space' : 'dash';
}

/** The comparable form of a student ID: its words folded, upper-cased and concatenated. */
export function normalizeStudentId(id: string): string {
  let out = '';
  for (const match of id.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) out += foldWord(match[0]).toUpperCase();
  return out;
}

/** Letters become "A", digits "9": the format of an ID without its value. */
export function idShape(normalized: string): string {
  let shape = '';
  for (const char of normalized) {
    const code = char.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) shape += '9';
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) shape += 'A';
    else if (/\p{L}/u.test(char)) shape += 'A';
    else if (/\p{N}/u.test(char)) shape += '9';
    else shape += char;
  }
  return shape;
}

export interface StudentIdCandidate {
  /** normalizeStudentId of the run. */
  normalized: string;
  /** The run exactly as the sender wrote it (for masking). */
  raw: string;
}

/**
 * Every run in the text with one of the given shapes. A run is extended word by word only while
 * its shape is still a prefix of one of the shapes, so ordinary prose is dismissed at its first
 * word, and no run spans more than MAX_CHUNKS words: linear in the text.
 */
export function studentIdCandidates(
  text: string,
  tokens: readonly WordToken[],
  shapes: ReadonlySet<string>,
): StudentIdCandidate[] {
  if (shapes.size === 0) return [];
  const prefixes = new Set<string>();
  for (const shape of shapes) {
    for (let i = 1; i <= shape.length; i++) prefixes.add(shape.slice(0, i));
  }
  const gap = (i: number) => joinKind(text, tokens[i].end, tokens[i + 1].start);
  const candidates: StudentIdCandidate[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let shape = '';
    let normalized = '';
    for (let j = i; j < tokens.length && j < i + MAX_CHUNKS; j++) {
      if (j > i && gap(j - 1) === null) break;
      const chunk = tokens[j].folded.toUpperCase();
      shape += idShape(chunk);
      if (!prefixes.has(shape)) break;
      if (j === i && i > 0 && gap(i - 1) === 'dash') break; // inside a longer dash-joined code
      normalized += chunk;
      const continuesWithDash = j + 1 < tokens.length && gap(j) === 'dash';
      if (!continuesWithDash && shapes.has(shape) && shape.includes('9')) {
        candidates.push({ normalized, raw: text.slice(tokens[i].start, tokens[j].end) });
      }
    }
  }
  return candidates;
}
