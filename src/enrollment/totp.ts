import { randomBytes } from 'node:crypto';
import { ScureBase32Plugin, generate, verify } from 'otplib';
import QRCode from 'qrcode';

/**
 * TOTP (RFC 6238) as Google and Microsoft Authenticator implement it: HMAC-SHA1, 6 digits, 30 s
 * steps from the Unix epoch. Pure functions over otplib; every rule about who may use a code and
 * when (replay, lock-out) lives in the services, with the time step returned from here.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits: the HMAC-SHA1 block-size recommendation of RFC 4226 §4 */
export const TOTP_SECRET_BYTES = 20;
/** ±1 step of clock drift (RFC 6238 §5.2 recommends at most one step back; apps run fast too) */
export const TOTP_WINDOW_STEPS = 1;

const base32 = new ScureBase32Plugin();
const SIX_DIGITS = /^\d{6}$/;

/** A fresh secret from the operating system's CSPRNG: raw bytes and their unpadded base32. */
export function generateTotpSecret(): { bytes: Buffer; base32: string } {
  const bytes = randomBytes(TOTP_SECRET_BYTES);
  return { bytes, base32: encodeBase32(bytes) };
}

export function encodeBase32(bytes: Uint8Array): string {
  return base32.encode(bytes, { padding: false });
}

export function decodeBase32(secret: string): Buffer {
  return Buffer.from(base32.decode(secret.replace(/=+$/, '').toUpperCase()));
}

/** The time step that contains the given Unix time (seconds). */
export function timeStepAt(epochSeconds: number): number {
  return Math.floor(epochSeconds / TOTP_PERIOD_SECONDS);
}

export function isWellFormedCode(code: string): boolean {
  return SIX_DIGITS.test(code);
}

/**
 * The Key Uri Format of Google Authenticator, with every parameter spelled out (some apps ignore
 * defaults they cannot see): otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
 */
export function otpauthUri(options: { issuer: string; account: string; secret: string }): string {
  const issuer = encodeURIComponent(options.issuer);
  const label = `${issuer}:${encodeURIComponent(options.account)}`;
  const query = [
    `secret=${options.secret}`,
    `issuer=${issuer}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** A PNG QR code of exactly the given URI, as a data: URL an <img> can show. */
export function qrCodeDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { type: 'image/png', errorCorrectionLevel: 'M', margin: 4 });
}

/** The code for a secret at a Unix time (seconds); for tests and tools, never sent to clients. */
export function totpCode(secret: Uint8Array, epochSeconds: number): Promise<string> {
  return generate({
    secret,
    epoch: epochSeconds,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    algorithm: 'sha1',
  });
}

export type TotpCheck =
  | { result: 'valid'; step: number }
  /** right code, but for a step already used: a replay (phishing relay, shoulder-surfing) */
  | { result: 'replayed'; step: number }
  | { result: 'invalid' };

/**
 * Checks a code against the steps around `epochSeconds` (±TOTP_WINDOW_STEPS). Steps at or before
 * `afterStep` are refused, otplib doing the comparison in constant time; a refused code is checked
 * once more without that bound only to tell a replay from a wrong code for the audit trail.
 * Never throws for bad input: otplib throws on malformed tokens, so those are filtered first.
 */
export async function checkTotp(options: {
  secret: Uint8Array;
  code: string;
  epochSeconds: number;
  afterStep?: number | null;
}): Promise<TotpCheck> {
  const { secret, code, epochSeconds } = options;
  if (!isWellFormedCode(code) || secret.length < 16) return { result: 'invalid' };
  const common = {
    secret,
    token: code,
    epoch: epochSeconds,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    algorithm: 'sha1' as const,
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
  };
  const afterStep = options.afterStep ?? undefined;
  const fresh = matchedStep(await verify({ ...common, afterTimeStep: afterStep }));
  if (fresh !== undefined) return { result: 'valid', step: fresh };
  if (afterStep === undefined) return { result: 'invalid' };
  const any = matchedStep(await verify(common));
  return any !== undefined ? { result: 'replayed', step: any } : { result: 'invalid' };
}

/** Checks a code against a just-opened secret at the current time, then wipes the secret. */
export async function checkTotpNowAndWipe(
  secret: Buffer,
  code: string,
  afterStep: number | null | undefined,
): Promise<TotpCheck> {
  try {
    return await checkTotp({ secret, code, epochSeconds: Date.now() / 1000, afterStep });
  } finally {
    secret.fill(0);
  }
}

function matchedStep(result: Awaited<ReturnType<typeof verify>>): number | undefined {
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
