import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { getInternals } from '../client/internals';
import type { Database } from '../client/types';
import { type LocateOptions, locateMigrationsDir } from './locate';

export type MigrateOptions = LocateOptions;

// Arbitrary constant: every process migrating the same database serialises on it.
const MIGRATION_LOCK_KEY = 726_351_904;

/**
 * Applies pending SQL migrations from the repo's drizzle/ folder. Idempotent: already-applied
 * migrations (tracked in drizzle.__drizzle_migrations) are skipped, so it is safe on every boot.
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<void> {
  const migrationsFolder = locateMigrationsDir(options);
  const internals = getInternals(database);
  if (!internals) throw new Error('migrate() needs a Database created by createDb() or the test helpers');

  if (internals.driver === 'pglite') {
    // One process owns an embedded database, so no lock is needed. The raw client, not database.db:
    // a handle opened with an app role (createDb({ role })) has no DDL rights.
    await migratePglite(drizzlePglite({ client: internals.client }), { migrationsFolder });
    return;
  }
  await migratePostgresLocked(internals.url, migrationsFolder);
}

/**
 * drizzle's migrator takes no lock: API and worker booting together would both apply the same
 * migration. A session advisory lock on a dedicated single connection serialises them; the loser
 * then finds nothing pending.
 */
async function migratePostgresLocked(url: string, migrationsFolder: string): Promise<void> {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'agentflow-migrate' },
  });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres({ client: sql }), { migrationsFolder });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
