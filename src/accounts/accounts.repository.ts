import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { Organization } from './organization.entity';
import { Session } from './session.entity';
import { User } from './user.entity';

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
  async findLiveSession(tokenHash: Buffer): Promise<{ session: Session; user: User } | null> {
    const session = await this.dataSource.getRepository(Session).findOneBy({
      tokenHash,
      revokedAt: IsNull(),
      expiresAt: MoreThan(new Date()),
    });
    if (session === null) return null;
    const user = await this.dataSource.getRepository(User).findOneBy({ id: session.userId });
    return user === null ? null : { session, user };
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
