import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/config.schema';

export const DEVELOPMENT_KEY_FILE = 'secret-key';

/**
 * The key that encrypts TOTP secrets at rest. SECRET_KEY when set (the config schema requires it
 * in production). Otherwise a development key is created ONCE under VAR_DIR and reused: a key that
 * changed at every start would make every enrolled factor unreadable. The file is created with
 * mode 0600 and atomically (written aside, then hard-linked into place, which fails if another
 * process won the race — then its key is used). The key itself is never logged.
 */
export function resolveSecretKey(
  config: Pick<AppConfig, 'secretKey' | 'varDir' | 'nodeEnv'>,
  warn: (message: string) => void,
): Buffer {
  if (config.secretKey !== undefined) return Buffer.from(config.secretKey, 'base64');
  if (config.nodeEnv === 'production') {
    throw new Error('SECRET_KEY is required when NODE_ENV=production');
  }
  const file = path.resolve(config.varDir, DEVELOPMENT_KEY_FILE);
  let key = readKeyFile(file);
  if (key === undefined) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(aside, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
    key = readKeyFile(file);
    if (key === undefined) throw new Error(`could not create the development key ${file}`);
    warn(
      `SECRET_KEY is not set: created a development key in ${file}. ` +
        'Set SECRET_KEY (32 bytes, base64) before real use; never use this key in production.',
    );
  } else {
    warn(`SECRET_KEY is not set: using the development key in ${file} (not for production).`);
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    warn(`${file} is readable by other users; it should have mode 0600.`);
  }
  return key;
}

function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(`${file} does not hold a 32-byte base64 key; remove it to create a new one`);
  }
  return key;
}
