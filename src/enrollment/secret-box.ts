import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A secret encrypted at rest: AES-256-GCM, with the id of the key that sealed it. */
export interface SealedSecret {
  ciphertext: Buffer;
  /** 96-bit random nonce, never reused with the same key (2^-32 collision bound is far away) */
  iv: Buffer;
  /** 128-bit GCM authentication tag: any change to ciphertext, iv or context fails to open */
  tag: Buffer;
  keyId: string;
}

export class SecretKeyUnavailableError extends Error {
  constructor(keyId: string) {
    super(`the secret was sealed with key ${keyId}, which is not configured`);
    this.name = 'SecretKeyUnavailableError';
  }
}

/**
 * Identifies a key without revealing it: the first 8 hex digits of its SHA-256. Stored beside each
 * ciphertext so that after SECRET_KEY is rotated, rows sealed with the old key are recognised
 * (and can be re-sealed) instead of failing as if they were corrupt.
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Seals and opens secrets with the current key; older keys, when given, can still open what they
 * sealed. The context (e.g. "totp:<userId>") is bound as additional authenticated data, so a
 * ciphertext copied onto another user's row does not open there.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new Error('an AES-256 key is 32 bytes');
      // the current key wins when an earlier key is listed again by mistake
      if (!this.keys.has(keyIdOf(key))) this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(current);
  }

  /** Whether a secret sealed under `keyId` can be opened with the configured keys. */
  canOpen(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** The ids of every configured key, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: Buffer, context: string): SealedSecret {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { ciphertext, iv, tag: cipher.getAuthTag(), keyId: this.currentKeyId };
  }

  /** Throws SecretKeyUnavailableError for an unknown key id, and an Error when tampered with. */
  open(sealed: SealedSecret, context: string): Buffer {
    const key = this.keys.get(sealed.keyId);
    if (key === undefined) throw new SecretKeyUnavailableError(sealed.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  }
}
