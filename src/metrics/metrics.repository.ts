import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How long the counting statement may run before PostgreSQL cancels it (a scrape gives up). */
export const COUNT_TIMEOUT_MS = 5000;

export interface DeploymentCounts {
  /** inbound messages by source and current state */
  inbound: { source: string; state: string; count: number }[];
  /** age in seconds of the oldest message still `stored`; 0 when none waits */
  oldestStoredSeconds: number;
  /** recovery requests by current status, rejection reason, and whether they were ever approved */
  requests: { status: string; reason: string | null; approved: boolean; count: number }[];
  /** outbound mails by status */
  mails: { status: string; count: number }[];
}

interface CountRow {
  family: 'inbound' | 'oldest' | 'request' | 'mail';
  a: string | null;
  b: string | null;
  approved: boolean | null;
  n: string;
}

/**
 * The counts behind the deployment-wide metrics, read from the tables that are the truth (rows are
 * never deleted, so the totals only grow). One statement, so one snapshot and one round trip;
 * GROUP BY over a handful of short columns. Never selects an address, a subject or a body.
 */
@Injectable()
export class MetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async counts(): Promise<DeploymentCounts> {
    const rows = await this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [
        String(COUNT_TIMEOUT_MS),
      ]);
      return tx.query<CountRow[]>(`
        SELECT 'inbound' AS family, source AS a, state AS b, NULL::boolean AS approved,
               count(*)::text AS n
          FROM inbound_messages GROUP BY source, state
        UNION ALL
        SELECT 'oldest', NULL, NULL, NULL,
               COALESCE(extract(epoch FROM now() - min(received_at)), 0)::text
          FROM inbound_messages WHERE state = 'stored'
        UNION ALL
        SELECT 'request', status, reason, executes_at IS NOT NULL, count(*)::text
          FROM recovery_requests GROUP BY status, reason, executes_at IS NOT NULL
        UNION ALL
        SELECT 'mail', status, NULL, NULL, count(*)::text
          FROM outbound_mails GROUP BY status`);
    });
    const counts: DeploymentCounts = {
      inbound: [],
      oldestStoredSeconds: 0,
      requests: [],
      mails: [],
    };
    for (const row of rows) {
      const n = Number(row.n);
      switch (row.family) {
        case 'inbound':
          counts.inbound.push({ source: row.a ?? '', state: row.b ?? '', count: n });
          break;
        case 'oldest':
          counts.oldestStoredSeconds = Math.max(0, n);
          break;
        case 'request':
          counts.requests.push({
            status: row.a ?? '',
            reason: row.b,
            approved: row.approved === true,
            count: n,
          });
          break;
        case 'mail':
          counts.mails.push({ status: row.a ?? '', count: n });
          break;
      }
    }
    return counts;
  }
}
