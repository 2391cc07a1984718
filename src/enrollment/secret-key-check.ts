import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SecretRotationService } from './secret-rotation.service';

/**
 * At start-up: says how many sealed TOTP secrets neither SECRET_KEY nor SECRET_KEYS_PREVIOUS can
 * open, and under which key ids (ids only, never a key or a secret). The process starts anyway:
 * those users are asked to enroll again at sign-in (TwoFactorRepository), and putting the missing
 * key back in SECRET_KEYS_PREVIOUS makes their factors work again.
 */
@Injectable()
export class SecretKeyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('SecretKey');

  constructor(private readonly rotation: SecretRotationService) {}

  async onApplicationBootstrap(): Promise<void> {
    let unknown;
    try {
      unknown = (await this.rotation.status()).filter((row) => row.key === 'unknown');
    } catch (error) {
      // a database that is not there yet is reported by /health; this check is advice only
      this.logger.warn({ err: (error as Error).message }, 'could not count sealed secrets');
      return;
    }
    const count = unknown.reduce((sum, row) => sum + row.count, 0);
    if (count === 0) return;
    this.logger.error(
      { unopenable: count, keyIds: unknown.map((row) => row.keyId) },
      `${count} sealed TOTP secret(s) cannot be opened with SECRET_KEY and SECRET_KEYS_PREVIOUS ` +
        `(key ids ${unknown.map((row) => row.keyId).join(', ')}); their users must enroll again ` +
        'at sign-in. Add the missing key to SECRET_KEYS_PREVIOUS to restore them.',
    );
  }
}
