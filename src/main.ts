import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.schema';
import { startApp } from './app';

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
  const running = await startApp(config);
  const roles = [...config.roles].join(',');
  const lines = [`Recovery Desk running (roles: ${roles})`];
  if (running.httpUrl !== undefined) {
    lines.push(`  web and API: ${running.httpUrl}  (OpenAPI: ${running.httpUrl}/api/docs)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
});
