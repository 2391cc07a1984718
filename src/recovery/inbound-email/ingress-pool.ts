import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, type QueryResultRow } from 'pg';
import { AppConfigService } from '../../config/app-config.service';

/** Longest a storing statement may take before SMTP answers 451 instead of keeping the client. */
export const STORE_STATEMENT_TIMEOUT_MS = 30_000;
/** Enough for SMTP_LIMITS.maxClients sessions storing at once to share without a long wait. */
const MAX_CONNECTIONS = 8;

/**
 * The accept path's own connections to PostgreSQL. Every statement on them is bounded by
 * STORE_STATEMENT_TIMEOUT_MS, set once per connection (PostgreSQL's statement_timeout, so the
 * server cancels it too), which makes storing a message ONE round trip: an autocommitted INSERT,
 * where the shared pool needed BEGIN, SET LOCAL, INSERT and COMMIT (bench/README.md, "Where the
 * time goes"). Connections are opened on first use: a process without the smtp or imap role never
 * opens one.
 */
@Injectable()
export class IngressPool implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(config: AppConfigService) {
    this.pool = new Pool({
      connectionString: config.get('databaseUrl'),
      max: MAX_CONNECTIONS,
      connectionTimeoutMillis: 5000,
      statement_timeout: STORE_STATEMENT_TIMEOUT_MS,
      idleTimeoutMillis: 60_000,
    });
    // an idle connection dropped by the server must not take the process down; the next query
    // opens a fresh one
    this.pool.on('error', () => undefined);
  }

  async query<Row extends QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    return (await this.pool.query<Row>(text, values)).rows;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
