import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { User } from '../accounts/user.entity';

/**
 * The two-factor notifications, queued in the caller's transaction so the mail exists exactly
 * when the change it reports does. No secrets, codes or recovery codes ever go into mail.
 */
@Injectable()
export class TwoFactorNotifier {
  async enabled(_user: User, _tx: EntityManager): Promise<void> {
    // wired to the mail module once it lands
  }

  async resetByAdmin(
    _target: User,
    _admin: { name: string },
    _resetAt: Date,
    _tx: EntityManager,
  ): Promise<void> {
    // wired to the mail module once it lands
  }
}
