import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../schema';
import { attachInternals } from './internals';
import { assertRoleName } from './roles';
import type { Database, Db } from './types';

export interface PostgresOptions {
  /** Pool size (default 10). */
  maxConnections?: number | undefined;
  /** Session role set at connection startup (`-c role=...`); undefined = the login user. */
  role?: string | undefined;
}

export function createPostgresDb(url: string, options: PostgresOptions = {}): Database {
  const role = options.role === undefined ? undefined : assertRoleName(options.role);
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    // Our own notices (e.g. "extension already exists") are noise in JSON logs.
    onnotice: () => {},
    connection: {
      application_name: 'agentflow',
      // A startup option rather than a SET after connecting: every pooled connection, including
      // ones reopened after a network blip, starts as the role before it can run anything.
      ...(role ? { options: `-c role=${role}` } : {}),
    },
  });
  const db = drizzle({ client: sql, schema }) as unknown as Db;
  let closed = false;
  const database: Database = {
    db,
    driver: 'postgres',
    role,
    async ping() {
      await sql`select 1`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
  // migrate() opens its own single connection from the URL (without the role: DDL needs the owner)
  // so its advisory lock and the migration share one session whatever the pool size.
  return attachInternals(database, { driver: 'postgres', url });
}
