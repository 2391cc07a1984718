import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** The advisory lock that lets one IMAP poller work at a time (migrations use 727274001). */
export const IMAP_POLLER_LOCK = 727274020;

/**
 * Exactly one IMAP poller across every process: a PostgreSQL session advisory lock held on a
 * connection of its own, outside the pool. When the holder dies, however abruptly, PostgreSQL
 * ends its session and the lock is free for the next `tryAcquire`; when the holder's own
 * connection breaks, `lost` turns true and the holder stops before it stores anything more.
 */
export class PollerLock {
  private readonly logger = new Logger(PollerLock.name);
  private client: Client | undefined;
  private broken = false;

  constructor(private readonly databaseUrl: string) {}

  /** true once the connection that holds the lock has failed or ended. */
  get lost(): boolean {
    return this.client === undefined || this.broken;
  }

  /** true when this process now holds the lock; false when another process does. */
  async tryAcquire(): Promise<boolean> {
    if (!this.lost) return true;
    await this.release();
    const client = new Client({
      connectionString: this.databaseUrl,
      connectionTimeoutMillis: 5000,
    });
    this.broken = false;
    const onGone = (error?: Error) => {
      if (this.client !== client) return;
      this.broken = true;
      this.logger.warn({ err: error?.message }, 'lost the connection holding the IMAP poller lock');
    };
    client.on('error', onGone);
    client.on('end', () => onGone());
    try {
      await client.connect();
      const rows = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [IMAP_POLLER_LOCK],
      );
      if (rows.rows[0]?.locked !== true) {
        await client.end();
        return false;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return true;
  }

  /** Ends the lock's session, which releases the lock. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }
}
