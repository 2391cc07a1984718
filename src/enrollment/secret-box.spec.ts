import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyIdOf, SecretBox, SecretKeyUnavailableError } from './secret-box';
import { DEVELOPMENT_KEY_FILE, resolveSecretKey } from './secret-key';

describe('SecretBox (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const secret = randomBytes(20);

  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox(key);
    const sealed = box.seal(secret, 'totp:user-1');
    expect(sealed.keyId).toBe(keyIdOf(key));
    expect(sealed.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.equals(secret)).toBe(false);
    expect(box.open(sealed, 'totp:user-1')).toEqual(secret);
  });

  it('uses a fresh nonce each time', () => {
    const box = new SecretBox(key);
    const a = box.seal(secret, 'c');
    const b = box.seal(secret, 'c');
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('refuses another context (a ciphertext moved to another user)', () => {
    const box = new SecretBox(key);
    const sealed = box.seal(secret, 'totp:user-1');
    expect(() => box.open(sealed, 'totp:user-2')).toThrow();
  });

  it.each(['ciphertext', 'iv', 'tag'] as const)('refuses a tampered %s', (field) => {
    const box = new SecretBox(key);
    const sealed = box.seal(secret, 'c');
    const changed = Buffer.from(sealed[field]);
    changed[0] ^= 1;
    expect(() => box.open({ ...sealed, [field]: changed }, 'c')).toThrow();
  });

  it('opens what an older key sealed after rotation, and names a missing key', () => {
    const old = randomBytes(32);
    const sealedWithOld = new SecretBox(old).seal(secret, 'c');
    const rotated = new SecretBox(key, [old]);
    expect(rotated.currentKeyId).toBe(keyIdOf(key));
    expect(rotated.open(sealedWithOld, 'c')).toEqual(secret);
    expect(rotated.seal(secret, 'c').keyId).toBe(keyIdOf(key));
    expect(() => new SecretBox(key).open(sealedWithOld, 'c')).toThrow(SecretKeyUnavailableError);
  });

  it('says which key ids it can open, the current one first, and keeps sealing with SECRET_KEY', () => {
    const old = randomBytes(32);
    // the key id is the first 8 hex digits of the key's SHA-256 (computed here by node:crypto)
    const oldId = createHash('sha256').update(old).digest('hex').slice(0, 8);
    const box = new SecretBox(key, [old, key]);
    expect(box.keyIds).toEqual([keyIdOf(key), oldId]);
    expect(box.canOpen(oldId)).toBe(true);
    expect(box.canOpen('00000000')).toBe(false);
    expect(box.seal(secret, 'c').keyId).toBe(keyIdOf(key));
  });
});

describe('resolveSecretKey', () => {
  it('uses SECRET_KEY when set, silently', () => {
    const configured = randomBytes(32);
    const warn = jest.fn();
    const key = resolveSecretKey(
      { secretKey: configured.toString('base64'), varDir: '/nonexistent', nodeEnv: 'production' },
      warn,
    );
    expect(key).toEqual(configured);
    expect(warn).not.toHaveBeenCalled();
  });

  it('creates a development key once, mode 0600, with a warning, and reuses it', () => {
    const varDir = path.join(mkdtempSync(path.join(tmpdir(), 'rd-key-')), 'var');
    const warn = jest.fn();
    const first = resolveSecretKey({ secretKey: undefined, varDir, nodeEnv: 'development' }, warn);
    const file = path.join(varDir, DEVELOPMENT_KEY_FILE);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SECRET_KEY is not set'));
    // the warning names the file, never the key
    expect(JSON.stringify(warn.mock.calls)).not.toContain(first.toString('base64'));
    const second = resolveSecretKey({ secretKey: undefined, varDir, nodeEnv: 'test' }, jest.fn());
    expect(second).toEqual(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('refuses to invent a key in production', () => {
    expect(() =>
      resolveSecretKey(
        { secretKey: undefined, varDir: tmpdir(), nodeEnv: 'production' },
        jest.fn(),
      ),
    ).toThrow(/SECRET_KEY/);
  });
});
