import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../schema';
import { attachInternals } from './internals';
import type { Database, Db } from './types';

export function createPostgresDb(url: string, maxConnections = 10): Database {
  const sql = postgres(url, {
    max: maxConnections,
    // Our own notices (e.g. "extension already exists") are noise in JSON logs.
    onnotice: () => {},
    connection: { application_name: 'agentflow' },
  });
  const db = drizzle({ client: sql, schema }) as unknown as Db;
  let closed = false;
  const database: Database = {
    db,
    driver: 'postgres',
    async ping() {
      await sql`select 1`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
  // migrate() opens its own single connection from the URL so its advisory lock and the migration
  // share one session whatever the pool size.
  return attachInternals(database, { driver: 'postgres', url });
}
