/**
 * The bench's own throw-away database and its population, bulk-inserted with generate_series.
 *
 * Organization g (a whole number) is a paid clinic on the mail domain c<g>.bench.test with two
 * users — owner<g>@ (no 2FA: signs in with `next: done`) and member<g>@ (an ACTIVE TOTP factor,
 * sealed with the app's SECRET_KEY like the app seals it: signs in with `next: totp`, and may ask
 * for a recovery) — and two billing records (a card and a bank account). Every value is derived
 * from g, so the bench can write a matching recovery mail for any member without a query. Ids are
 * md5-derived uuids for the same reason. All users share one precomputed scrypt hash: hashing a
 * million passwords would take hours and measures nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from '../src/database/data-source';
import { secretContext } from '../src/enrollment/second-factor.service';
import { SecretBox } from '../src/enrollment/secret-box';
import { generateTotpSecret } from '../src/enrollment/totp';

const FIRST = [
  'Åsa',
  'Björn',
  'Carin',
  'Dag',
  'Elin',
  'Fredrik',
  'Greta',
  'Hugo',
  'Ingrid',
  'Jonas',
];
const LAST = ['Öberg', 'Lindqvist', 'Nyström', 'Ek', 'Sjöberg', 'Holm', 'Wallin', 'Berg'];

export const domainOf = (g: number) => `c${g}.bench.test`;
export const ownerEmail = (g: number) => `owner${g}@${domainOf(g)}`;
export const memberEmail = (g: number) => `member${g}@${domainOf(g)}`;
export const holderName = (g: number) =>
  `${FIRST[g % FIRST.length]} ${LAST[Math.floor(g / FIRST.length) % LAST.length]}`;
export const cardLast4 = (g: number) => String((g * 7919 + 1234) % 10000).padStart(4, '0');

function md5Uuid(text: string): string {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const memberId = (g: number) => md5Uuid(`practitioner:${g}`);

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** rd_bench_<pid>_<random>, created and migrated; drop() removes it whatever connects to it. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `rd_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  await runMigrations({ databaseUrl: url.toString() });
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Organizations per statement: keeps each transaction and its WAL burst moderate. */
const ORG_CHUNK = 100_000;
/** Factors sealed and sent per INSERT. */
const FACTOR_CHUNK = 25_000;

/** Inserts organizations [from, to) with their users, billing records and members' factors. */
export async function seedOrganizations(
  db: Client,
  from: number,
  to: number,
  passwordHash: string,
  secretKey: Buffer,
  progress: (done: number) => void = () => undefined,
): Promise<void> {
  for (let start = from; start < to; start += ORG_CHUNK) {
    const end = Math.min(to, start + ORG_CHUNK);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO organizations (id, name, plan, require_2fa)
       SELECT md5('org:' || g)::uuid, 'Clinic ' || g, 'paid', false
         FROM generate_series($1::int, $2::int - 1) AS g`,
      [start, end],
    );
    await db.query(
      `INSERT INTO users (id, organization_id, email, email_normalized, name, role, password_hash,
                          locale)
       SELECT md5(r.role || ':' || g)::uuid, md5('org:' || g)::uuid,
              r.prefix || g || '@c' || g || '.bench.test', r.prefix || g || '@c' || g || '.bench.test',
              initcap(r.prefix) || ' ' || g, r.role, $3, CASE WHEN g % 3 = 0 THEN 'sv' ELSE 'en' END
         FROM generate_series($1::int, $2::int - 1) AS g
        CROSS JOIN (VALUES ('owner', 'owner'), ('practitioner', 'member')) AS r (role, prefix)`,
      [start, end, passwordHash],
    );
    await db.query(
      `INSERT INTO billing_records (organization_id, kind, last4, holder_name)
       SELECT md5('org:' || g)::uuid, b.kind, lpad(((g::bigint * b.m + b.a) % 10000)::text, 4, '0'),
              ($3::text[])[1 + g % $5] || ' ' || ($4::text[])[1 + (g / $5) % $6]
         FROM generate_series($1::int, $2::int - 1) AS g
        CROSS JOIN (VALUES ('card', 7919, 1234), ('bank_account', 104729, 5678)) AS b (kind, m, a)`,
      [start, end, FIRST, LAST, FIRST.length, LAST.length],
    );
    await insertFactors(db, start, end, secretKey);
    await db.query('COMMIT');
    progress(end - from);
  }
  await db.query('ANALYZE');
}

/** An active factor per member, sealed exactly as the app seals one (AES-256-GCM, user context). */
async function insertFactors(db: Client, from: number, to: number, key: Buffer): Promise<void> {
  const box = new SecretBox(key);
  for (let start = from; start < to; start += FACTOR_CHUNK) {
    const end = Math.min(to, start + FACTOR_CHUNK);
    const ids: string[] = [];
    const ciphertexts: Buffer[] = [];
    const ivs: Buffer[] = [];
    const tags: Buffer[] = [];
    for (let g = start; g < end; g += 1) {
      const id = memberId(g);
      const sealed = box.seal(generateTotpSecret().bytes, secretContext(id));
      ids.push(id);
      ciphertexts.push(sealed.ciphertext);
      ivs.push(sealed.iv);
      tags.push(sealed.tag);
    }
    await db.query(
      `INSERT INTO two_factor_factors
         (user_id, status, secret_ciphertext, secret_iv, secret_tag, secret_key_id, enabled_at)
       SELECT u, 'active', c, i, t, $5, now()
         FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[]) AS x (u, c, i, t)`,
      [ids, ciphertexts, ivs, tags, box.currentKeyId],
    );
  }
}

export async function countRows(db: Client): Promise<{ users: number; billing: number }> {
  const [row] = (
    await db.query<{ users: string; billing: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM billing_records) AS billing`,
    )
  ).rows;
  return { users: Number(row.users), billing: Number(row.billing) };
}
