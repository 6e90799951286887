import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from '../schema';

export type Schema = typeof schema;

/**
 * The Drizzle client every service uses. Both drivers (postgres.js and PGlite) are PgDatabase
 * subclasses with the same query builder; services must not depend on which one they got.
 */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DriverName = 'postgres' | 'pglite';

export interface Database {
  db: Db;
  driver: DriverName;
  /** Cheap round trip (`select 1`) for readiness checks; throws when the database is unreachable. */
  ping(): Promise<void>;
  /** Closes pools / the embedded instance. Safe to call twice. */
  close(): Promise<void>;
}

export interface DbConfig {
  /** postgres:// URL. When absent the embedded PGlite driver is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory (default `.data/pglite`); `memory://` for an in-memory database. */
  dataDir?: string | undefined;
  /** postgres.js pool size (default 10). */
  maxConnections?: number | undefined;
}
