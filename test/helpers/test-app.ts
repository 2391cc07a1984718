import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { RunningApp, startApp } from '../../src/app';
import { loadConfig } from '../../src/config/config.schema';
import { baseDatabaseUrl, redisUrl, runId } from './test-env';

export const TEST_PROVISIONING_TOKEN = 'test-provisioning-token-0123456789';
export const TEST_INBOUND_TOKEN = 'test-inbound-token-0123456789abcdef';
/** A fixed 32-byte key so tests never write a development key under var/ */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** What NODE_ENV=production needs on top of testEnv() to start (it refuses development settings). */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  MAIL_TRANSPORT: 'smtp://127.0.0.1:1',
  PUBLIC_URL: 'https://desk.example.test',
};

export interface TestApp extends RunningApp {
  http: TestAgent;
  dataSource: DataSource;
  /** where outbound mail lands (file transport) unless MAIL_TRANSPORT was overridden */
  outboxDir: string;
  redisPrefix: string;
}

/** The environment a test app starts with: fresh Redis prefix, ports chosen by the OS. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const outboxDir = mkdtempSync(path.join(tmpdir(), 'rd-outbox-'));
  return {
    NODE_ENV: 'test',
    DATABASE_URL: baseDatabaseUrl(),
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `rdt-${runId()}-${randomBytes(4).toString('hex')}`,
    HTTP_PORT: '0',
    SMTP_PORT: '0',
    MAIL_TRANSPORT: `file:${outboxDir}`,
    SECRET_KEY: TEST_SECRET_KEY,
    PROVISIONING_TOKEN: TEST_PROVISIONING_TOKEN,
    INBOUND_TOKEN: TEST_INBOUND_TOKEN,
    SENDER_AUTH: 'dmarc',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    VAR_DIR: mkdtempSync(path.join(tmpdir(), 'rd-var-')),
    ...overrides,
  };
}

/** Starts the real application (all roles unless ROLES is overridden) on the run's database. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const env = testEnv(overrides);
  const config = loadConfig(env);
  const running = await startApp(config, { migrate: false });
  const outboxDir = config.mailTransport.kind === 'file' ? config.mailTransport.dir : '';
  return {
    ...running,
    http: request(running.httpUrl ?? ''),
    dataSource: running.app.get(DataSource),
    outboxDir,
    redisPrefix: config.redisPrefix,
  };
}
