import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Organization } from './organization.entity';
import { Session } from './session.entity';
import { User, UserRole } from './user.entity';
import { directQuery } from '../database/direct-query';

/** A live session and what the guards need of its user. */
export interface LiveSession {
  sessionId: string;
  userId: string;
  role: UserRole;
  organizationId: string | null;
}

interface LiveSessionRow {
  session_id: string;
  user_id: string;
  role: UserRole;
  organization_id: string | null;
}

@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findUserByEmailWithPassword(emailNormalized: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email_normalized = :emailNormalized', { emailNormalized })
      .getOne();
  }

  findUserByEmail(emailNormalized: string, manager?: EntityManager): Promise<User | null> {
    return this.manager(manager).getRepository(User).findOneBy({ emailNormalized });
  }

  findUser(id: string, manager?: EntityManager): Promise<User | null> {
    return this.manager(manager).getRepository(User).findOneBy({ id });
  }

  findUsersInOrganization(organizationId: string, manager?: EntityManager): Promise<User[]> {
    return this.manager(manager)
      .getRepository(User)
      .find({ where: { organizationId }, order: { createdAt: 'ASC', email: 'ASC' } });
  }

  /** Locks the user row for the rest of the caller's transaction (serializes per-user decisions). */
  async lockUser(id: string, manager: EntityManager): Promise<void> {
    await manager.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
  }

  findOrganization(id: string, manager?: EntityManager): Promise<Organization | null> {
    return this.manager(manager).getRepository(Organization).findOneBy({ id });
  }

  async insertOrganization(
    manager: EntityManager,
    values: Pick<Organization, 'name' | 'plan' | 'require2fa'>,
  ): Promise<Organization> {
    const repository = manager.getRepository(Organization);
    return repository.save(repository.create(values));
  }

  async updateOrganization(
    manager: EntityManager,
    id: string,
    values: Partial<Pick<Organization, 'require2fa' | 'name'>>,
  ): Promise<void> {
    await manager.getRepository(Organization).update({ id }, values);
  }

  async insertUser(manager: EntityManager, values: Omit<User, 'id' | 'createdAt'>): Promise<User> {
    const repository = manager.getRepository(User);
    return repository.save(repository.create(values));
  }

  async insertSession(
    values: Pick<Session, 'userId' | 'tokenHash' | 'expiresAt' | 'ip' | 'userAgent' | 'stepUpAt'>,
    manager?: EntityManager,
  ): Promise<Session> {
    const repository = this.manager(manager).getRepository(Session);
    return repository.save(repository.create({ ...values, revokedAt: null }));
  }

  /** A live session and its user, or null when unknown, revoked or expired. */
  /**
   * The session behind a token hash with its user, in one round trip: every authenticated
   * request starts here. Live means not revoked and not expired by this process's clock.
   */
  async findLiveSession(tokenHash: Buffer): Promise<LiveSession | null> {
    const rows = await directQuery<LiveSessionRow>(
      this.dataSource,
      `SELECT s.id AS session_id, u.id AS user_id, u.role, u.organization_id
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
      [tokenHash, new Date()],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      sessionId: row.session_id,
      userId: row.user_id,
      role: row.role,
      organizationId: row.organization_id,
    };
  }

  async revokeSession(id: string): Promise<void> {
    await this.dataSource
      .getRepository(Session)
      .update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Records that a live session has just proved the second factor again. */
  async markSessionSteppedUp(id: string, at: Date, manager?: EntityManager): Promise<void> {
    await this.manager(manager)
      .getRepository(Session)
      .update({ id, revokedAt: IsNull() }, { stepUpAt: at });
  }

  async findSessionStepUp(id: string): Promise<Date | null> {
    const session = await this.dataSource
      .getRepository(Session)
      .findOne({ select: { id: true, stepUpAt: true }, where: { id } });
    return session?.stepUpAt ?? null;
  }

  /** Ends every session of a user at once (2FA reset, password change). Returns how many. */
  async revokeAllSessions(userId: string, manager?: EntityManager): Promise<number> {
    const result = await this.manager(manager)
      .getRepository(Session)
      .update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return result.affected ?? 0;
  }
}
