import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { existsSync, statSync } from 'node:fs';
import { CreateAgentDto, validatePlain } from './billing/provisioning.dto';
import { readPassword } from './cli-password';
import { DomainError } from './common/domain-error';
import { AppConfig, ConfigError, loadConfig } from './config/config.schema';

/**
 * The application itself, loaded on first use: a refusal that needs no database (usage, a bad
 * variable, a missing file, an invalid argument) answers at once without loading every module.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const load = {
  nest: () => require('@nestjs/core') as typeof import('@nestjs/core'),
  appModule: () => require('./app.module') as typeof import('./app.module'),
  dataSource: () => require('./database/data-source') as typeof import('./database/data-source'),
  audit: () => require('./audit/audit.service') as typeof import('./audit/audit.service'),
  billingImport: () =>
    require('./billing/billing-import.service') as typeof import('./billing/billing-import.service'),
  demoSeed: () =>
    require('./billing/demo-seed.service') as typeof import('./billing/demo-seed.service'),
  events: () =>
    require('./events/security-event.service') as typeof import('./events/security-event.service'),
  rotation: () =>
    require('./enrollment/secret-rotation.service') as typeof import('./enrollment/secret-rotation.service'),
  provisioning: () =>
    require('./billing/provisioning.service') as typeof import('./billing/provisioning.service'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * `npm run cli -- <command>`. Each command boots the application's modules without HTTP, SMTP or
 * workers (ROLES empty) and calls the same services as the API. Exit codes: 0 done, 1 refused or
 * failed (one line on stderr saying why), 2 usage.
 */
const USAGE: Record<string, string> = {
  'db:migrate': 'db:migrate',
  'seed:demo': 'seed:demo',
  'billing:import': 'billing:import <file.csv>',
  'agent:create': 'agent:create <email> <name> [--password-stdin]',
  'audit:verify': 'audit:verify',
  'events:redeliver': 'events:redeliver <event-id>',
  'secrets:status': 'secrets:status',
  'secrets:rotate': 'secrets:rotate',
};
const HELP = `usage: npm run cli -- <command>
  db:migrate                 apply pending database migrations
  seed:demo                  create the demo organizations, users and agent; print their sign-ins
  billing:import <file.csv>  import billing records; columns organization_id,kind,last4,holder_name,student_id
                             (header row; each organization in the file gets exactly the file's records)
  agent:create <email> <name> [--password-stdin]
                             create a support agent (asks for the password, or reads it from stdin)
  audit:verify               check the audit hash chain; exit 1 when it is broken
  events:redeliver <event-id>
                             send one security event again (same webhook-id), whatever its status
  secrets:status             count sealed TOTP secrets per key id (current, previous, unknown)
  secrets:rotate             re-seal under SECRET_KEY every secret sealed with a key in
                             SECRET_KEYS_PREVIOUS (batched, resumable, safe while the service runs)`;

/** Rows listed in billing:import's one-line refusal before "and N more". */
const MAX_LISTED_ROWS = 20;

class UsageError extends Error {}
/** A refusal or failure reported as one line, exit 1. */
class CommandError extends Error {}

type Command = (args: string[], config: AppConfig) => Promise<number>;

const commands: Record<string, Command> = {
  'db:migrate': async (args, config) => {
    expectArgs(args, 0);
    const applied = await load.dataSource().runMigrations(config);
    out(applied.length === 0 ? 'No pending migrations' : `Applied ${applied.join(', ')}`);
    return 0;
  },

  'seed:demo': async (args, config) => {
    expectArgs(args, 0);
    if (config.nodeEnv === 'production') {
      throw new CommandError('seed:demo refuses to run with NODE_ENV=production');
    }
    return withContext(config, async (context) => {
      const { DemoSeedService, formatDemoSignIns } = load.demoSeed();
      const { created, signIns } = await context.get(DemoSeedService).seed();
      out(created ? 'Demo data created.' : 'Demo data already present.');
      out(formatDemoSignIns(signIns).join('\n'));
      out(`Sign in at ${config.publicUrl}/login (API: ${config.publicUrl}/api/docs)`);
      return 0;
    });
  },

  'billing:import': async (args, config) => {
    expectArgs(args, 1);
    const file = args[0];
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new CommandError(`billing:import: no such file ${file}`);
    }
    return withContext(config, async (context) => {
      const result = await context.get(load.billingImport().BillingImportService).importFile(file);
      if (!result.ok) {
        const listed = result.problems
          .slice(0, MAX_LISTED_ROWS)
          .map((p) => `line ${p.line}: ${p.problems.join(', ')}`);
        const more = result.problems.length - listed.length;
        throw new CommandError(
          `billing:import: nothing imported, ${result.problems.length} row(s) with problems — ` +
            listed.join('; ') +
            (more > 0 ? `; and ${more} more` : ''),
        );
      }
      out(
        `Imported ${result.records} billing record(s) for ${result.organizations} organization(s) ` +
          '(their previous records replaced)',
      );
      return 0;
    });
  },

  'agent:create': async (args, config) => {
    const fromStdin = args.includes('--password-stdin');
    const positional = args.filter((arg) => arg !== '--password-stdin');
    if (positional.some((arg) => arg.startsWith('--'))) {
      throw new UsageError(`unknown option ${positional.find((arg) => arg.startsWith('--'))}`);
    }
    expectArgs(positional, 2);
    const [email, name] = positional;
    const password = await readPassword(fromStdin);
    const { value, problems } = validatePlain(CreateAgentDto, { email, name, password });
    if (value === undefined) throw new CommandError(`agent:create: ${problems.join('; ')}`);
    return withContext(config, async (context) => {
      const agent = await context
        .get(load.provisioning().ProvisioningService)
        .createAgent(value, { type: 'system', via: 'cli agent:create' });
      out(`Created support agent ${agent.email} (${agent.id})`);
      return 0;
    });
  },

  'audit:verify': async (args, config) => {
    expectArgs(args, 0);
    return withContext(config, async (context) => {
      const result = await context.get(load.audit().AuditService).verify();
      if (result.ok) {
        // events committed while the check ran are chained by the sequencer, not yet checked
        const pending = result.pending === undefined ? '' : `; ${result.pending} pending`;
        out(`Audit chain ok: ${result.events} event(s) verified${pending}`);
        return 0;
      }
      err(
        `Audit chain BROKEN at event ${result.brokenAt} (after ${result.events - 1} good events)`,
      );
      return 1;
    });
  },

  'events:redeliver': async (args, config) => {
    expectArgs(args, 1);
    const id = args[0];
    if (!UUID.test(id)) throw new UsageError(`"${id}" is not an event id (a UUID)`);
    return withContext(config, async (context) => {
      const queued = await context.get(load.events().SecurityEventService).redeliver(id);
      out(
        queued
          ? `Queued security event ${id} for delivery`
          : `Security event ${id} is pending again; Redis did not answer, the worker's sweeper will queue it`,
      );
      return 0;
    });
  },

  'secrets:status': async (args, config) => {
    expectArgs(args, 0);
    return withContext(config, async (context) => {
      const rows = await context.get(load.rotation().SecretRotationService).status();
      out('key id    sealed  key');
      for (const row of rows) {
        const key = row.key === 'unknown' ? 'unknown (cannot be opened)' : row.key;
        out(`${row.keyId}  ${String(row.count).padStart(6)}  ${key}`);
      }
      const unopenable = rows
        .filter((row) => row.key === 'unknown')
        .reduce((sum, row) => sum + row.count, 0);
      out(`${unopenable} sealed secret(s) cannot be opened with the configured keys`);
      return 0;
    });
  },

  'secrets:rotate': async (args, config) => {
    expectArgs(args, 0);
    return withContext(config, async (context) => {
      const result = await context.get(load.rotation().SecretRotationService).rotate();
      out(`Re-sealed ${result.resealed} secret(s) under the current key`);
      if (result.unknownKey > 0) {
        out(
          `${result.unknownKey} secret(s) sealed with a key that is not configured were left as they are`,
        );
      }
      if (result.skipped > 0) {
        out(`${result.skipped} secret(s) changed meanwhile or would not open; run again to retry`);
      }
      return 0;
    });
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectArgs(args: string[], count: number): void {
  if (args.length !== count) {
    throw new UsageError(`expected ${count} argument(s), got ${args.length}`);
  }
}

async function withContext(
  config: AppConfig,
  work: (context: INestApplicationContext) => Promise<number>,
): Promise<number> {
  // No roles: no HTTP listener, no SMTP server, no queue workers or schedulers.
  const context = await load
    .nest()
    .NestFactory.createApplicationContext(
      load.appModule().AppModule.forRoot({ ...config, roles: new Set() }),
      { logger: ['error'], abortOnError: false },
    );
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** One line for anything that went wrong, never a stack trace (nor a password). */
function reason(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  const code = (error as { code?: unknown }).code;
  if (code === '42P01') return 'the database is not migrated (run: npm run db:migrate)';
  if (code === 'ECONNREFUSED') return `cannot connect: ${(error as Error).message}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    err(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    err(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`);
    return 2;
  }
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`Configuration error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  try {
    return await command(args, config);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${name}: ${error.message} (usage: npm run cli -- ${USAGE[name]})`);
      return 2;
    }
    err(error instanceof CommandError ? error.message : `${name}: ${reason(error)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`cli failed: ${reason(error)}`);
    process.exit(1);
  },
);
