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
const JOIN = /^[ \t\-\u2010-\u2015]{1,3}$/;
const DASH_ONLY = /^[-\u2010-\u2015]{1,3}$/;

/** The comparable form of a student ID: its words folded, upper-cased and concatenated. */
export function normalizeStudentId(id: string): string {
  let out = '';
  for (const match of id.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) out += foldWord(match[0]).toUpperCase();
  return out;
}

/** Letters become "A", digits "9": the format of an ID without its value. */
export function idShape(normalized: string): string {
  return normalized.replace(/\p{L}/gu, 'A').replace(/\p{N}/gu, '9');
}

export interface StudentIdCandidate {
  /** normalizeStudentId of the run. */
  normalized: string;
  /** The run exactly as the sender wrote it (for masking). */
  raw: string;
}

/** Every run in the text with one of the given shapes; at most MAX_CHUNKS candidates per word, so
 *  linear in the text. */
export function studentIdCandidates(
  text: string,
  tokens: readonly WordToken[],
  shapes: ReadonlySet<string>,
): StudentIdCandidate[] {
  if (shapes.size === 0) return [];
  const maxLength = Math.max(...[...shapes].map((shape) => shape.length));
  const gap = (i: number): string => text.slice(tokens[i].end, tokens[i + 1].start);
  const candidates: StudentIdCandidate[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0 && DASH_ONLY.test(gap(i - 1))) continue; // inside a longer dash-joined code
    let normalized = '';
    for (let j = i; j < tokens.length && j < i + MAX_CHUNKS; j++) {
      if (j > i && !JOIN.test(gap(j - 1))) break;
      normalized += tokens[j].folded.toUpperCase();
      if (normalized.length > maxLength) break;
      const continuesWithDash = j + 1 < tokens.length && DASH_ONLY.test(gap(j));
      const shape = idShape(normalized);
      if (!continuesWithDash && shape.includes('9') && shapes.has(shape)) {
        candidates.push({ normalized, raw: text.slice(tokens[i].start, tokens[j].end) });
      }
    }
  }
  return candidates;
}
