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
  /**
   * The role every statement runs as (`agentflow_app` for the API and worker), or undefined for the
   * connecting user itself (migrations, test fixtures). See ADR 0005.
   */
  role?: string | undefined;
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
  /**
   * Run every statement as this role (RLS applies to it) instead of the connecting user. Postgres:
   * the session role is set at connection startup; PGlite: each statement or transaction runs under
   * SET LOCAL ROLE. `migrate()` still runs as the connecting user. Unset = the connecting user.
   */
  role?: string | undefined;
}
