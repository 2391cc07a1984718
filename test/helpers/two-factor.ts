import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ParsedMail, simpleParser } from 'mailparser';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
} from '../../src/enrollment/recovery-codes';
import { secretContext } from '../../src/enrollment/second-factor.service';
import { SecretBox } from '../../src/enrollment/secret-box';
import { generateTotpSecret } from '../../src/enrollment/totp';
import { DEFAULT_PASSWORD, makeUser } from './factories';
import { TEST_SECRET_KEY } from './test-app';

/**
 * Codes come from oathtool (an implementation independent of ours), at explicit time steps, so a
 * test knows exactly which step it spends. Each step is accepted once per user, and the server
 * accepts the current step ±1: one user can spend S-1, S and S+1 without waiting.
 */
export function totpAt(secret: string, step: number): string {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${step * 30 + 15}`, secret], {
    encoding: 'utf8',
  }).trim();
}

/** The current code, straight from oathtool's own clock. */
export function totpNow(secret: string): string {
  return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
}

export function currentStep(): number {
  return Math.floor(Date.now() / 30000);
}

/**
 * Waits, when fewer than `seconds` remain in the current step, until the next one begins, so a
 * short sequence of requests sees one stable "current step". Returns that step.
 */
export async function awayFromStepEdge(seconds = 5): Promise<number> {
  const intoStep = (Date.now() % 30000) / 1000;
  if (30 - intoStep < seconds) await sleep((30 - intoStep) * 1000 + 250);
  return currentStep();
}

/** Waits for the next time step to begin (for tests that need a code not yet spent). */
export async function nextStep(): Promise<number> {
  const step = currentStep();
  await sleep((step + 1) * 30000 - Date.now() + 250);
  return currentStep();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Decodes a `data:image/png;base64,…` QR code with zbarimg (Debian zbar-tools). */
export function decodeQr(dataUrl: string): string {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('not a PNG data URL');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rd-qr-')), 'qr.png');
  writeFileSync(file, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
  return execFileSync('zbarimg', ['--nodbus', '--quiet', '--raw', file], {
    encoding: 'utf8',
  }).trim();
}

/**
 * Gives a user an ACTIVE factor directly in the database (sealed with the tests' SECRET_KEY, no
 * time step spent), with 10 recovery codes. For tests about what comes after enrollment;
 * enrollment itself is tested through the API.
 */
export async function makeActiveFactor(
  db: DataSource,
  userId: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const secret = generateTotpSecret();
  const sealed = new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64')).seal(
    secret.bytes,
    secretContext(userId),
  );
  await db.query(
    `INSERT INTO two_factor_factors
       (user_id, status, secret_ciphertext, secret_iv, secret_tag, secret_key_id, enabled_at)
     VALUES ($1, 'active', $2, $3, $4, $5, now())`,
    [userId, sealed.ciphertext, sealed.iv, sealed.tag, sealed.keyId],
  );
  const recoveryCodes = generateRecoveryCodes();
  for (const code of recoveryCodes) {
    await db.query(`INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES ($1, $2)`, [
      userId,
      hashRecoveryCode(normalizeRecoveryCode(code) as string),
    ]);
  }
  return { secret: secret.base32, recoveryCodes };
}

export function bearer(token: string): [string, string] {
  return ['Authorization', `Bearer ${token}`];
}

/** Password step for a user with 2FA: returns the challenge of the `next` step. */
export async function loginChallenge(
  http: TestAgent,
  email: string,
  expectedNext: 'totp' | 'enroll' = 'totp',
  password = DEFAULT_PASSWORD,
): Promise<string> {
  const response = await http.post('/api/auth/login').send({ email, password }).expect(200);
  expect(response.body).toEqual({ next: expectedNext, challenge: expect.any(String) });
  return (response.body as { challenge: string }).challenge;
}

/** Full sign-in with a TOTP code for a given step. */
export async function signInWithTotp(
  http: TestAgent,
  email: string,
  secret: string,
  step: number,
): Promise<string> {
  const challenge = await loginChallenge(http, email);
  const response = await http
    .post('/api/auth/totp')
    .send({ challenge, code: totpAt(secret, step) })
    .expect(200);
  return (response.body as { accessToken: string }).accessToken;
}

export async function auditActions(db: DataSource, userId: string): Promise<string[]> {
  const rows: { action: string }[] = await db.query(
    `SELECT action FROM audit_events WHERE target_user_id = $1 ORDER BY id`,
    [userId],
  );
  return rows.map((row) => row.action);
}

/** The outbound mail of a template to a user: its row, and the .eml once the worker wrote it. */
export async function deliveredMail(
  db: DataSource,
  outboxDir: string,
  userId: string,
  template: string,
): Promise<{ rows: { id: string }[]; eml: ParsedMail }> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM outbound_mails WHERE user_id = $1 AND template = $2 ORDER BY created_at`,
    [userId, template],
  );
  if (rows.length === 0) throw new Error(`no ${template} mail for ${userId}`);
  const file = path.join(outboxDir, `${rows[0].id}.eml`);
  const deadline = Date.now() + 15000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} was not written`);
    await sleep(100);
  }
  return { rows, eml: await simpleParser(readFileSync(file)) };
}

/**
 * The forced enrollment of sign-in, as a user with only a password goes through it when 2FA is
 * required (an agent, a reset factor, an organization's policy): the QR code's secret read with
 * zbarimg, a code from oathtool. Returns the session's token and the secret.
 */
export async function enrollAtSignIn(
  http: TestAgent,
  email: string,
  password = DEFAULT_PASSWORD,
): Promise<{ token: string; secret: string }> {
  const challenge = await loginChallenge(http, email, 'enroll', password);
  const started = await http.post('/api/auth/enroll').send({ challenge }).expect(200);
  const uri = decodeQr((started.body as { qrCode: string }).qrCode);
  const secret = new URL(uri).searchParams.get('secret') as string;
  const confirmed = await http
    .post('/api/auth/enroll/confirm')
    .send({ challenge, code: totpAt(secret, currentStep()) })
    .expect(200);
  return { token: (confirmed.body as { accessToken: string }).accessToken, secret };
}

/**
 * A support agent as they always are: with an active factor, signed in with a TOTP code (so the
 * session is stepped up and may approve and deny for the next 15 minutes).
 */
export async function makeSignedInAgent(
  http: TestAgent,
  db: DataSource,
  values: Omit<Parameters<typeof makeUser>[1], 'role' | 'organizationId'> = {},
): Promise<{ id: string; email: string; password: string; secret: string; token: string }> {
  const agent = await makeUser(db, { ...values, role: 'agent' });
  const { secret } = await makeActiveFactor(db, agent.id);
  const token = await signInWithTotp(http, agent.email, secret, currentStep());
  return { id: agent.id, email: agent.email, password: agent.password, secret, token };
}

/** Moves a session's last step-up `minutes` into the past (the 15-minute window, without waiting). */
export async function ageStepUp(db: DataSource, userId: string, minutes: number): Promise<void> {
  await db.query(
    `UPDATE sessions SET step_up_at = now() - make_interval(mins => $2) WHERE user_id = $1`,
    [userId, minutes],
  );
}
