import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** 16 symbols of Crockford base32 = 80 bits per code (NIST SP 800-63B asks ≥ 64 for look-up secrets) */
const SYMBOLS = 16;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A set of fresh single-use recovery codes, shown once as `XXXX-XXXX-XXXX-XXXX`. Crockford's
 * alphabet has no I, L, O or U, so a code read aloud or copied by hand survives.
 */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let raw = '';
    for (let i = 0; i < SYMBOLS; i += 1) raw += ALPHABET[randomInt(ALPHABET.length)];
    return raw.match(/.{4}/g)?.join('-') ?? raw;
  });
}

/**
 * What a user may type for a code: any case, with spaces or dashes, O for 0 and I/L for 1.
 * Returns undefined when it cannot be one of our codes (so it is not even looked up).
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (compact.length !== SYMBOLS) return undefined;
  for (const char of compact) if (!ALPHABET.includes(char)) return undefined;
  return compact;
}

/**
 * Stored form: SHA-256 of the normalized code. A fast hash is enough here — unlike a password, an
 * 80-bit random code cannot be found by guessing from its hash — and it lets the single-use check
 * be one guarded UPDATE on an indexed column.
 */
export function hashRecoveryCode(normalized: string): Buffer {
  return createHash('sha256').update(`recovery-code:${normalized}`).digest();
}
