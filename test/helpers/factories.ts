import { randomBytes } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { normalizeEmail } from '../../src/accounts/email-address';
import { Organization, OrganizationPlan } from '../../src/accounts/organization.entity';
import { hashPassword } from '../../src/accounts/password-hasher';
import { Locale, User, UserRole } from '../../src/accounts/user.entity';
import { BillingKind, BillingRecord } from '../../src/billing/billing-record.entity';

/** A unique e-mail per call, so tests sharing the run's database never collide. */
export function uniqueEmail(label = 'user', domain = 'example.test'): string {
  return `${label}-${randomBytes(5).toString('hex')}@${domain}`;
}

export const DEFAULT_PASSWORD = 'correct horse battery staple';

let cachedHash: Promise<string> | undefined;
function defaultHash(): Promise<string> {
  cachedHash ??= hashPassword(DEFAULT_PASSWORD);
  return cachedHash;
}

export async function makeOrganization(
  db: DataSource,
  values: { name?: string; plan?: OrganizationPlan; require2fa?: boolean } = {},
): Promise<Organization> {
  const repository = db.getRepository(Organization);
  return repository.save(
    repository.create({
      name: values.name ?? `Clinic ${randomBytes(3).toString('hex')}`,
      plan: values.plan ?? 'paid',
      require2fa: values.require2fa ?? false,
    }),
  );
}

export async function makeUser(
  db: DataSource,
  values: {
    organizationId?: string | null;
    role?: UserRole;
    email?: string;
    name?: string;
    password?: string;
    locale?: Locale;
  } = {},
): Promise<User & { password: string }> {
  const role = values.role ?? 'practitioner';
  const organizationId =
    role === 'agent' ? null : (values.organizationId ?? (await makeOrganization(db)).id);
  const email = values.email ?? uniqueEmail(role);
  const password = values.password ?? DEFAULT_PASSWORD;
  const repository = db.getRepository(User);
  const user = await repository.save(
    repository.create({
      organizationId,
      role,
      email,
      emailNormalized: normalizeEmail(email) ?? email,
      name: values.name ?? `Test ${role}`,
      locale: values.locale ?? 'en',
      passwordHash:
        password === DEFAULT_PASSWORD ? await defaultHash() : await hashPassword(password),
    }),
  );
  return { ...user, password };
}

export async function makeBilling(
  db: DataSource,
  organizationId: string,
  values: { kind?: BillingKind; last4?: string; holderName?: string; studentId?: string } = {},
): Promise<BillingRecord> {
  const kind = values.kind ?? 'card';
  const repository = db.getRepository(BillingRecord);
  return repository.save(
    repository.create({
      organizationId,
      kind,
      last4: kind === 'student' ? null : (values.last4 ?? '4242'),
      holderName: kind === 'student' ? null : (values.holderName ?? 'Åsa Öberg'),
      studentId: kind === 'student' ? (values.studentId ?? 'S-2024-00123') : null,
    }),
  );
}

/** Signs in with e-mail and password and returns the bearer token (users without 2FA). */
export async function signIn(
  http: TestAgent,
  email: string,
  password = DEFAULT_PASSWORD,
): Promise<string> {
  const response = await http.post('/api/auth/login').send({ email, password }).expect(200);
  const body = response.body as { next: string; accessToken?: string };
  if (body.next !== 'done' || body.accessToken === undefined) {
    throw new Error(`sign-in needs a further step: ${body.next}`);
  }
  return body.accessToken;
}
