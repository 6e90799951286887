import { createPgliteDb } from './pglite';
import { createPostgresDb } from './postgres';
import type { Database, DbConfig } from './types';

/**
 * One API, two drivers: postgres.js when `databaseUrl` is set, PGlite (with pgvector) otherwise.
 * Callers never branch on the driver; only tests and diagnostics read `database.driver`.
 */
export async function createDb(config: DbConfig = {}): Promise<Database> {
  if (config.databaseUrl) {
    return createPostgresDb(config.databaseUrl, { maxConnections: config.maxConnections, role: config.role });
  }
  return createPgliteDb(config.dataDir, { role: config.role });
}

export type { Database, Db, DbConfig, DriverName, Schema } from './types';
