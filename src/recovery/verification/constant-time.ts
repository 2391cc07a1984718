import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of what a sender wrote with billing values.
 *
 * Buffers of different lengths are told apart at once (`timingSafeEqual` requires equal lengths):
 * the length of a last-4 group, a student-ID format or a name is not the secret, its content is.
 * Equal-length buffers are compared in full, without an early exit at the first differing byte.
 */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether `candidate` equals any of `secrets`. Every secret is compared, also after a match, so
 * the time taken does not tell which billing record matched (or whether an earlier one did).
 */
export function matchesAny(candidate: Buffer, secrets: readonly Buffer[]): boolean {
  let matched = 0;
  for (const secret of secrets) matched |= Number(sameBytes(candidate, secret));
  return matched === 1;
}
