import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import { normalizeEmail } from '../accounts/email-address';
import { hashPassword } from '../accounts/password-hasher';
import type { Locale, UserRole } from '../accounts/user.entity';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import type { BillingKind } from './billing-record.entity';
import { BillingRepository, BillingValues } from './billing.repository';
import {
  billingValues,
  MAX_BILLING_ITEMS,
  type BillingItemDto,
  type CreateAgentDto,
  type CreateOrganizationDto,
  type ProvisionUserDto,
} from './provisioning.dto';

/** Who provisions: the back office through the API, or an operator at the command line. */
export type ProvisioningActor = { type: 'provisioning' } | { type: 'system'; via: string };

export interface ProvisionedUser {
  id: string;
  email: string;
}

interface PreparedUser {
  email: string;
  emailNormalized: string;
  name: string;
  role: UserRole;
  locale: Locale;
  passwordHash: string;
}

/** PostgreSQL unique_violation, raised when a concurrent request won the race for a key. */
const UNIQUE_VIOLATION = '23505';

/**
 * Creates organizations, their users and billing records, and support agents. Every change and its
 * audit event commit in one transaction; passwords are hashed before the transaction opens (scrypt
 * is slow on purpose and must not hold locks). Neither passwords nor billing values are ever
 * returned, logged or written to the audit trail — only counts and kinds.
 */
@Injectable()
export class ProvisioningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly billing: BillingRepository,
    private readonly audit: AuditService,
  ) {}

  async createOrganization(
    input: CreateOrganizationDto,
    actor: ProvisioningActor,
  ): Promise<{ id: string; users: ProvisionedUser[] }> {
    const owners = input.users.filter((user) => user.role === 'owner').length;
    if (owners > 1) throw new DomainError('owner_exists', 'An organization has at most one owner');
    const users = await this.prepareUsers(input.users);
    const billing = input.billing.map(billingValues);
    return this.mapUniqueViolations(() =>
      this.dataSource.transaction(async (manager) => {
        const organization = await this.accounts.insertOrganization(manager, {
          name: input.name.trim(),
          plan: input.plan,
          require2fa: input.require2fa ?? false,
        });
        await this.billing.replaceForOrganization(manager, organization.id, billing);
        await this.audit.record(
          byActor(actor, {
            action: 'organization.provisioned',
            organizationId: organization.id,
            data: {
              name: organization.name,
              plan: organization.plan,
              require2fa: organization.require2fa,
              users: users.length,
              billing: countKinds(billing),
            },
          }),
          manager,
        );
        const created: ProvisionedUser[] = [];
        for (const user of users) {
          created.push(await this.insertUser(manager, organization.id, user, actor));
        }
        return { id: organization.id, users: created };
      }),
    );
  }

  async addUser(
    organizationId: string,
    input: ProvisionUserDto,
    actor: ProvisioningActor,
  ): Promise<ProvisionedUser> {
    await this.assertOrganizationExists(organizationId);
    const [user] = await this.prepareUsers([input]);
    return this.mapUniqueViolations(() =>
      this.dataSource.transaction(async (manager) => {
        const found = await this.billing.lockOrganizations(manager, [organizationId]);
        if (!found.has(organizationId)) throw organizationNotFound();
        return this.insertUser(manager, organizationId, user, actor);
      }),
    );
  }

  async createAgent(input: CreateAgentDto, actor: ProvisioningActor): Promise<ProvisionedUser> {
    const [agent] = await this.prepareUsers([{ ...input, role: 'agent' }]);
    return this.mapUniqueViolations(() =>
      this.dataSource.transaction(async (manager) => {
        const created = await this.accounts.insertUser(manager, { ...agent, organizationId: null });
        await this.audit.record(
          byActor(actor, {
            action: 'agent.created',
            targetUserId: created.id,
            data: { role: 'agent' },
          }),
          manager,
        );
        return { id: created.id, email: created.email };
      }),
    );
  }

  /** Replaces one organization's billing records (PUT …/billing). Returns how many it has now. */
  async replaceBilling(
    organizationId: string,
    items: BillingItemDto[],
    actor: ProvisioningActor,
  ): Promise<{ organizationId: string; records: number }> {
    if (items.length > MAX_BILLING_ITEMS) {
      throw new DomainError('invalid_input', `At most ${MAX_BILLING_ITEMS} billing records`);
    }
    await this.replaceBillingOfOrganizations(
      new Map([[organizationId, items.map(billingValues)]]),
      actor,
    );
    return { organizationId, records: items.length };
  }

  /**
   * Replaces the billing records of every organization in the map, all in one transaction: either
   * every organization gets its new records or none does (the CSV import relies on it).
   */
  async replaceBillingOfOrganizations(
    byOrganization: Map<string, BillingValues[]>,
    actor: ProvisioningActor,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const ids = [...byOrganization.keys()];
      const found = await this.billing.lockOrganizations(manager, ids);
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) {
        throw ids.length === 1
          ? organizationNotFound()
          : new DomainError('not_found', `Unknown organization ${missing.join(', ')}`);
      }
      for (const [organizationId, items] of byOrganization) {
        await this.billing.replaceForOrganization(manager, organizationId, items);
        await this.audit.record(
          byActor(actor, {
            action: 'billing.replaced',
            organizationId,
            data: { records: items.length, kinds: countKinds(items) },
          }),
          manager,
        );
      }
    });
  }

  private async assertOrganizationExists(organizationId: string): Promise<void> {
    const found = await this.accounts.findOrganization(organizationId);
    if (found === null) throw organizationNotFound();
  }

  /**
   * Normalizes e-mails, refuses duplicates (inside the request and against existing users)
   * before any hashing, then hashes the passwords. The unique index still decides races.
   */
  private async prepareUsers(
    users: (Omit<ProvisionUserDto, 'role'> & { role: UserRole })[],
  ): Promise<PreparedUser[]> {
    const seen = new Set<string>();
    const prepared = users.map((user) => {
      const emailNormalized = normalizeEmail(user.email);
      if (emailNormalized === undefined) {
        throw new DomainError('invalid_input', 'email must be an e-mail address');
      }
      if (seen.has(emailNormalized)) {
        throw new DomainError('email_taken', `${user.email.trim()} appears more than once`);
      }
      seen.add(emailNormalized);
      return { ...user, email: user.email.trim(), emailNormalized, name: user.name.trim() };
    });
    for (const user of prepared) {
      if ((await this.accounts.findUserByEmail(user.emailNormalized)) !== null) {
        throw emailTaken(user.email);
      }
    }
    return Promise.all(
      prepared.map(async (user) => ({
        email: user.email,
        emailNormalized: user.emailNormalized,
        name: user.name,
        role: user.role,
        locale: user.locale ?? 'en',
        passwordHash: await hashPassword(user.password),
      })),
    );
  }

  private async insertUser(
    manager: EntityManager,
    organizationId: string,
    user: PreparedUser,
    actor: ProvisioningActor,
  ): Promise<ProvisionedUser> {
    const created = await this.accounts.insertUser(manager, { ...user, organizationId });
    await this.audit.record(
      byActor(actor, {
        action: 'user.provisioned',
        targetUserId: created.id,
        organizationId,
        data: { role: created.role, locale: created.locale },
      }),
      manager,
    );
    return { id: created.id, email: created.email };
  }

  /** A concurrent request may insert the same e-mail (or a second owner) after our check. */
  private async mapUniqueViolations<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === UNIQUE_VIOLATION && constraint === 'users_email_normalized_key') {
        throw new DomainError('email_taken', 'That e-mail address is already in use');
      }
      if (code === UNIQUE_VIOLATION && constraint === 'users_one_owner_per_organization') {
        throw new DomainError('owner_exists', 'The organization already has an owner');
      }
      throw error;
    }
  }
}

function countKinds(items: BillingValues[]): Partial<Record<BillingKind, number>> {
  const counts: Partial<Record<BillingKind, number>> = {};
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  return counts;
}

/** The audit entry as written by this actor; a command-line change also says how it was made. */
function byActor(actor: ProvisioningActor, entry: Omit<AuditEntry, 'actor'>): AuditEntry {
  if (actor.type === 'provisioning') return { ...entry, actor: { type: 'provisioning' } };
  return { ...entry, actor: { type: 'system' }, data: { ...entry.data, via: actor.via } };
}

function organizationNotFound(): DomainError {
  return new DomainError('not_found', 'Organization not found');
}

function emailTaken(email: string): DomainError {
  return new DomainError('email_taken', `${email} is already in use`);
}
