import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { normalizeEmail } from '../accounts/email-address';
import { BillingRepository } from './billing.repository';
import type { CreateOrganizationDto } from './provisioning.dto';
import { ProvisioningService } from './provisioning.service';

/**
 * The demo's one password, for development only: `npm start` seeds it into an empty database
 * unless NODE_ENV=production, and `seed:demo` refuses to run in production.
 */
export const DEMO_PASSWORD = 'recovery-desk-demo';

export interface DemoSignIn {
  who: string;
  email: string;
  password: string;
}

const CLINIC: CreateOrganizationDto = {
  name: 'Demo Clinic AB',
  plan: 'paid',
  require2fa: false,
  billing: [
    { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
    { kind: 'bank_account', last4: '1234', holderName: 'Demo Clinic AB' },
  ],
  users: [
    {
      email: 'owner@demo-clinic.test',
      name: 'Åsa Öberg',
      role: 'owner',
      password: DEMO_PASSWORD,
      locale: 'sv',
    },
    {
      email: 'admin@demo-clinic.test',
      name: 'Anders Admin',
      role: 'admin',
      password: DEMO_PASSWORD,
      locale: 'en',
    },
    {
      email: 'practitioner@demo-clinic.test',
      name: 'Petra Praktiker',
      role: 'practitioner',
      password: DEMO_PASSWORD,
      locale: 'sv',
    },
  ],
};

const ACADEMY: CreateOrganizationDto = {
  name: 'Demo University Psychology Lab',
  plan: 'academic',
  require2fa: false,
  billing: [{ kind: 'student', studentId: 'S-2024-00123' }],
  users: [
    {
      email: 'student@demo-university.test',
      name: 'Sam Student',
      role: 'owner',
      password: DEMO_PASSWORD,
      locale: 'en',
    },
  ],
};

const AGENT = {
  email: 'agent@recovery-desk.test',
  name: 'Alex Agent',
  password: DEMO_PASSWORD,
};

/** Session advisory lock key for seeding (distinct from the migration and audit-chain locks). */
const SEED_LOCK = 727274003;

/**
 * A paid clinic (owner, admin, practitioner; a card and a bank account), an academic organization
 * (a student ID) and one support agent, created through the same ProvisioningService as the API.
 * Idempotent: parts whose first e-mail already exists are left alone.
 */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly accounts: AccountsRepository,
    private readonly billing: BillingRepository,
  ) {}

  /** Seeds whatever part of the demo is missing; returns the demo sign-ins. */
  async seed(): Promise<{ created: boolean; signIns: DemoSignIn[] }> {
    return this.billing.withExclusiveLock(SEED_LOCK, () => this.seedLocked());
  }

  /** Seeds the demo only when the database has no organization at all (a fresh install). */
  async seedIfEmpty(): Promise<DemoSignIn[] | undefined> {
    return this.billing.withExclusiveLock(SEED_LOCK, async () => {
      if ((await this.billing.countOrganizations()) > 0) return undefined;
      return (await this.seedLocked()).signIns;
    });
  }

  /** The demo sign-ins when the demo is present (seeded earlier), else undefined. */
  async present(): Promise<DemoSignIn[] | undefined> {
    return (await this.exists(CLINIC.users[0].email)) ? demoSignIns() : undefined;
  }

  private async seedLocked(): Promise<{ created: boolean; signIns: DemoSignIn[] }> {
    const actor = { type: 'system', via: 'demo-seed' } as const;
    let created = false;
    for (const organization of [CLINIC, ACADEMY]) {
      if (await this.exists(organization.users[0].email)) continue;
      await this.provisioning.createOrganization(organization, actor);
      created = true;
    }
    if (!(await this.exists(AGENT.email))) {
      await this.provisioning.createAgent(AGENT, actor);
      created = true;
    }
    return { created, signIns: demoSignIns() };
  }

  private async exists(email: string): Promise<boolean> {
    return (await this.accounts.findUserByEmail(normalizeEmail(email) ?? email)) !== null;
  }
}

function demoSignIns(): DemoSignIn[] {
  return [
    ...CLINIC.users.map((user) => ({
      who: `${user.role} of ${CLINIC.name}`,
      email: user.email,
      password: user.password,
    })),
    ...ACADEMY.users.map((user) => ({
      who: `${user.role} of ${ACADEMY.name}`,
      email: user.email,
      password: user.password,
    })),
    // agents always use two factors: the demo agent scans a QR code at first sign-in, like any
    // new agent (no TOTP secret is seeded or printed: secrets never reach a log)
    {
      who: 'support agent; sets up 2FA at first sign-in',
      email: AGENT.email,
      password: AGENT.password,
    },
  ];
}

/** The lines `npm start` and `seed:demo` print. */
export function formatDemoSignIns(signIns: DemoSignIn[]): string[] {
  const width = Math.max(...signIns.map((signIn) => signIn.email.length));
  return [
    'Demo sign-ins (development only):',
    ...signIns.map(
      (signIn) => `  ${signIn.email.padEnd(width)}  password: ${signIn.password}  (${signIn.who})`,
    ),
  ];
}
