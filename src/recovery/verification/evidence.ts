import { matchesAny } from './constant-time';
import { standaloneFourDigitGroups } from './digit-groups';
import { matchHolderNames } from './holder-name';
import { countDistinctNames, MAX_NAME_CANDIDATES, nameCandidates } from './name-candidates';
import { requiredNameWords, wordTokens } from './name-normalization';
import { idShape, normalizeStudentId, studentIdCandidates } from './student-id';
import { truncateAtWhitespace, VISIBLE_TEXT_MAX_CHARS } from './visible-text';

/**
 * The evidence check of docs/architecture.md, step 12: does the visible, newly written text of the message
 * (visible-text.ts) contain the last 4 digits, the holder name or — for academic organizations —
 * the student ID of what pays the user's organization?
 *
 * Evidence is weak (docs/architecture.md, Security principles as implemented): this is a filter in front of a human, never
 * the proof. Hence: a message listing many candidates proves nothing (ambiguous_evidence), every
 * comparison is constant-time and runs over every billing record, and the result says only
 * matched / not matched / not applicable per factor — never a billing value.
 */

export type EvidencePlan = 'paid' | 'academic';
export type FactorResult = 'matched' | 'not_matched' | 'not_applicable';
export type EvidenceOutcome =
  'matched' | 'no_evidence' | 'evidence_mismatch' | 'ambiguous_evidence';

/** A billing record as far as evidence needs it; the BillingRecord entity fits as it is. */
export interface EvidenceBillingRecord {
  kind: 'card' | 'bank_account' | 'student';
  last4?: string | null;
  holderName?: string | null;
  studentId?: string | null;
}

export interface EvidenceFactors {
  last4: FactorResult;
  holderName: FactorResult;
  studentId: FactorResult;
}

export interface EvidenceResult {
  outcome: EvidenceOutcome;
  factors: EvidenceFactors;
  /**
   * Everything the sender wrote that was taken as a candidate, exactly as written, for masking
   * (masking.ts): every standalone 4-digit group and every student-ID-shaped run — matching or
   * not, so that what is masked does not reveal which one matched — and every run that matched a
   * holder name. Never contains a billing value the sender did not write.
   */
  evidenceValues: string[];
}

/**
 * More distinct candidates than this → ambiguous_evidence: a message that lists many numbers
 * proves nothing. The same bound applies to student-ID candidates, since otherwise one message
 * could try a hundred IDs at once. Names have a bound of their own (name-candidates.ts): an
 * ordinary letter names several people and places.
 */
export const MAX_DISTINCT_CANDIDATES = 3;

const LAST4 = /^[0-9]{4}$/;

function factor(applicable: boolean, matched: boolean): FactorResult {
  if (!applicable) return 'not_applicable';
  return matched ? 'matched' : 'not_matched';
}

/**
 * Decides the evidence outcome:
 * - ambiguous_evidence: more than 3 distinct standalone 4-digit groups, more than 3 distinct
 *   student-ID candidates (academic only), or more than MAX_NAME_CANDIDATES distinct person- or
 *   company-like names (name-candidates.ts). Wins over a match: the message proves nothing.
 * - matched: at least one factor matched.
 * - evidence_mismatch ("present but wrong"): a standalone 4-digit group (a year included, see
 *   digit-groups.ts) or a student-ID-shaped run (academic only) was written and matched nothing —
 *   also when the organization has no card or bank account to compare it with.
 * - no_evidence: none of those present. A name that is not the holder's cannot be recognised as
 *   a name, so names never make a message "present but wrong".
 *
 * Factors: not_applicable when the organization has nothing to compare with (no card/bank
 * last-4, no holder name, not academic or no usable student ID); a factor is not_matched when
 * its candidates made the message ambiguous. Student IDs of a `paid`
 * organization are never used. A student ID without any digit is unusable (see student-id.ts).
 */
export function checkEvidence(
  visibleText: string,
  billing: readonly EvidenceBillingRecord[],
  plan: EvidencePlan,
): EvidenceResult {
  // extractVisibleText already caps its text; this guards other callers (cut at whitespace so no
  // shorter number is invented)
  const text = truncateAtWhitespace(visibleText, VISIBLE_TEXT_MAX_CHARS);
  const payments = billing.filter((r) => r.kind === 'card' || r.kind === 'bank_account');

  // last 4 digits
  const last4Secrets = payments
    .map((r) => r.last4?.trim() ?? '')
    .filter((value) => LAST4.test(value))
    .map((value) => Buffer.from(value, 'utf8'));
  // digits of every script count as the digits they are ("４２４２" is 4242, see digit-groups.ts)
  const written = standaloneFourDigitGroups(text);
  const groups = [...new Set(written.map((group) => group.value))];
  const groupsAmbiguous = groups.length > MAX_DISTINCT_CANDIDATES;
  let last4Matched = false;
  if (!groupsAmbiguous) {
    for (const group of groups) {
      last4Matched = matchesAny(Buffer.from(group, 'utf8'), last4Secrets) || last4Matched;
    }
  }

  // holder name
  const tokens = wordTokens(text);
  const names = payments
    .map((r) => requiredNameWords(r.holderName ?? ''))
    .filter((words) => words.length > 0);
  const namesAmbiguous = countDistinctNames(nameCandidates(text, tokens)) > MAX_NAME_CANDIDATES;
  // runs that match are masked even when the message is ambiguous: a billing value is never shown
  const nameMatch = matchHolderNames(text, tokens, names);
  const nameMatched = nameMatch.matched && !namesAmbiguous;

  // student ID (academic organizations only)
  const studentSecrets =
    plan === 'academic'
      ? billing
          .filter((r) => r.kind === 'student')
          .map((r) => normalizeStudentId(r.studentId ?? ''))
          .filter((id) => /\d/.test(id))
      : [];
  const candidates = studentIdCandidates(text, tokens, new Set(studentSecrets.map(idShape)));
  const distinctIds = [...new Set(candidates.map((candidate) => candidate.normalized))];
  const idsAmbiguous = distinctIds.length > MAX_DISTINCT_CANDIDATES;
  let studentMatched = false;
  if (!idsAmbiguous) {
    const secrets = studentSecrets.map((id) => Buffer.from(id, 'utf8'));
    for (const id of distinctIds) {
      studentMatched = matchesAny(Buffer.from(id, 'utf8'), secrets) || studentMatched;
    }
  }

  const factors: EvidenceFactors = {
    last4: factor(last4Secrets.length > 0, last4Matched),
    holderName: factor(names.length > 0, nameMatched),
    studentId: factor(studentSecrets.length > 0, studentMatched),
  };
  let outcome: EvidenceOutcome;
  if (groupsAmbiguous || idsAmbiguous || namesAmbiguous) outcome = 'ambiguous_evidence';
  else if (last4Matched || nameMatched || studentMatched) outcome = 'matched';
  else if (groups.length > 0 || candidates.length > 0) outcome = 'evidence_mismatch';
  else outcome = 'no_evidence';

  const evidenceValues = [
    ...new Set([
      ...written.map((group) => group.raw),
      ...candidates.map((candidate) => candidate.raw),
      ...nameMatch.values,
    ]),
  ];
  return { outcome, factors, evidenceValues };
}
