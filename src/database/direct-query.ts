import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * One statement straight on the data source's `pg` pool, outside any transaction, for the few
 * statements every request or message pays: `dataSource.query` wraps each in a query runner of
 * its own (created, connected, broadcast to subscribers, released), which cost about 120 µs of
 * CPU per statement against 45 µs for the pool's own `query` (bench/README.md, "Where the time
 * goes"). Same connections, same type parsing, same errors (`isDatabaseUnavailable` reads them
 * alike); an UPDATE … RETURNING gives its rows, not TypeORM's `[rows, count]`.
 */
export async function directQuery<Row extends QueryResultRow>(
  dataSource: DataSource,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query<Row>(text, values)).rows;
}
