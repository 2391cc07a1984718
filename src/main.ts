import 'reflect-metadata';
import { DemoSeedService, formatDemoSignIns } from './billing/demo-seed.service';
import { AppConfig, ConfigError, loadConfig } from './config/config.schema';
import { RunningApp, startApp } from './app';
import { SmtpIngressServer } from './recovery/inbound-email/smtp-ingress.server';

/** How long a graceful shutdown may take before the process gives up and exits 1. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/** The one entry point: ROLES (api, smtp, worker; all by default) picks what this process runs. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startApp(config, { shutdownHooks: false });
  handleShutdownSignals(running);
  const roles = [...config.roles].join(',');
  const lines = [`Recovery Desk running (roles: ${roles})`];
  if (running.httpUrl !== undefined) {
    lines.push(`  web and API: ${running.httpUrl}  (OpenAPI: ${running.httpUrl}/api/docs)`);
  }
  const smtpPort = running.app.get(SmtpIngressServer).port;
  if (smtpPort !== undefined) {
    lines.push(
      `  inbound SMTP: ${config.smtpHost}:${smtpPort}  (for ${config.supportAddresses.join(', ')})`,
    );
  }
  if (config.roles.has('worker')) {
    lines.push(`  queue worker: consuming jobs from Redis (key prefix ${config.redisPrefix})`);
  }
  if (config.roles.has('imap') && config.imap !== undefined) {
    lines.push(
      `  IMAP ingress: ${config.imap.display} (processed mail to ${config.imapProcessedMailbox}; one poller at a time)`,
    );
  }
  lines.push(...(await demo(running, config)));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * A fresh development database gets the demo (never with NODE_ENV=production), and its sign-ins
 * are printed while it is there. A failed seed is reported, not fatal: the service still runs.
 */
async function demo(running: RunningApp, config: AppConfig): Promise<string[]> {
  if (config.nodeEnv === 'production') return [];
  const seeder = running.app.get(DemoSeedService);
  try {
    const seeded = await seeder.seedIfEmpty();
    const signIns = seeded ?? (await seeder.present());
    if (signIns === undefined) return [];
    return [
      seeded !== undefined ? 'The database was empty: seeded a demo.' : 'Demo data present.',
      ...formatDemoSignIns(signIns),
      `  sign in at ${config.publicUrl}/login, agent console ${config.publicUrl}/agent`,
    ];
  } catch (error) {
    return [`Demo seed skipped: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * SIGTERM/SIGINT: stop taking work, let in-flight jobs finish, close SMTP and HTTP and the
 * connections, then exit 0. A second signal, or a shutdown that hangs, exits 1 at once.
 */
function handleShutdownSignals(running: RunningApp): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: shutting down gracefully\n`);
    setTimeout(() => {
      process.stderr.write('Shutdown timed out\n');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
});
