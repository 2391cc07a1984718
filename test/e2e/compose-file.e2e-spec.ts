/**
 * docker-compose.yml is a valid Compose file (checked against the Compose Specification's own
 * JSON Schema, test/fixtures/compose-spec) and describes the deployment split by role: api, smtp
 * and a replicated worker, all on the one PostgreSQL and Redis.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number | string };
  ports?: string[];
  profiles?: string[];
}

function readCompose(text: string): { services: Record<string, Service> } {
  // `<<` merge keys, as Compose reads them
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

function validator() {
  const schema = JSON.parse(
    readFileSync(path.join(ROOT, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  // the file names draft-07 as https://json-schema.org/draft-07/schema; Ajv's default class is
  // draft-07 and knows the meta-schema under its http://…# name only
  expect(schema.$schema).toBe('https://json-schema.org/draft-07/schema');
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const compose = readCompose(text);

  it('is valid against the Compose Specification schema', () => {
    const validate = validator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check does reject a service key Compose does not know', () => {
    const validate = validator();
    const broken = readCompose(text.replace('  worker:\n', '  worker:\n    replica_count: 3\n'));
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('replica_count');
  });

  it('runs each role as a service of its own on one database and Redis', () => {
    const roles = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, service]) => service.environment?.ROLES !== undefined)
        .map(([name, service]) => [name, service.environment?.ROLES]),
    );
    expect(roles).toEqual({ api: 'api', smtp: 'smtp', worker: 'worker', imap: 'api,imap' });
    // the IMAP poller runs only on request (`--profile imap`), with the mailbox from the env
    expect(compose.services.imap.profiles).toEqual(['imap']);
    expect(compose.services.imap.environment?.IMAP_URL).toBe('${IMAP_URL:-}');
    const apps = Object.keys(roles).map((name) => compose.services[name]);
    // one image; one database, one Redis, one development key volume for all of them
    expect(new Set(apps.map((s) => s.image)).size).toBe(1);
    expect(new Set(apps.map((s) => s.environment?.DATABASE_URL)).size).toBe(1);
    expect(new Set(apps.map((s) => s.environment?.REDIS_URL)).size).toBe(1);
    for (const app of apps) {
      expect(app.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    // workers are replicated (2 unless WORKER_REPLICAS says otherwise); only api and smtp publish
    expect(compose.services.worker.deploy?.replicas).toBe('${WORKER_REPLICAS:-2}');
    expect(compose.services.worker.ports).toBeUndefined();
    expect(compose.services.api.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(compose.services.smtp.ports).toEqual(['127.0.0.1:2525:2525']);
    expect(compose.services.imap.ports).toBeUndefined();
  });
});
