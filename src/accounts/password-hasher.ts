import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB); stored in each hash so it can be raised later. */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 128 * 1024 * 1024 },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    );
  });
}

/** `scrypt$N$r$p$salt$key`, salt and key in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

/**
 * Constant-time check. A malformed stored hash verifies as false (after doing the same work), so
 * callers can pass a dummy hash for unknown accounts and keep timing equal.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const wellFormed = scheme === 'scrypt' && salt !== undefined && key !== undefined;
  const options = wellFormed ? { N: Number(n), r: Number(r), p: Number(p) } : COST;
  const expected = wellFormed ? Buffer.from(key, 'base64') : Buffer.alloc(KEY_LENGTH);
  const derived = await derive(
    password,
    wellFormed ? Buffer.from(salt, 'base64') : Buffer.alloc(16),
    options,
  );
  return wellFormed && derived.length === expected.length && timingSafeEqual(derived, expected);
}

let dummy: Promise<string> | undefined;

/** A hash of a random password, verified against when the e-mail is unknown. */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64'));
  return dummy;
}
