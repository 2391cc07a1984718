import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returned } from '../common/returned-rows';
import { ChallengePurpose, SignInChallenge } from './sign-in-challenge.entity';

/** Sign-in challenges: issued after the password step, used up once by the second step. */
@Injectable()
export class SignInChallengeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertChallenge(
    values: Pick<SignInChallenge, 'userId' | 'tokenHash' | 'purpose' | 'expiresAt' | 'ip'>,
  ): Promise<void> {
    const repository = this.dataSource.getRepository(SignInChallenge);
    // tidy this user's long-dead tickets while here: bounded work, no sweeper needed
    await this.dataSource.query(
      `DELETE FROM sign_in_challenges WHERE user_id = $1 AND expires_at < now() - interval '1 day'`,
      [values.userId],
    );
    await repository.insert({ ...values, usedAt: null });
  }

  async findLiveChallenge(
    tokenHash: Buffer,
    purpose: ChallengePurpose,
  ): Promise<SignInChallenge | null> {
    return this.dataSource
      .getRepository(SignInChallenge)
      .createQueryBuilder('c')
      .where('c.token_hash = :tokenHash AND c.purpose = :purpose', { tokenHash, purpose })
      .andWhere('c.used_at IS NULL AND c.expires_at > now()')
      .getOne();
  }

  /** Uses a challenge up; true for exactly one caller. */
  async consumeChallenge(id: string, manager: EntityManager): Promise<boolean> {
    const rows = returned(
      await manager.query(
        `UPDATE sign_in_challenges SET used_at = now()
          WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
        [id],
      ),
    );
    return rows.length === 1;
  }

  /** Ends every open challenge of a user (their factor was reset). */
  async revokeChallenges(userId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE sign_in_challenges SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );
  }
}
