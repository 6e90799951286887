import { createPgliteTestDatabase, preparePgliteSnapshot } from './pglite';
import { createPostgresTestDatabase, preparePostgresTemplate } from './postgres';
import type { TestDatabase } from './types';

export type { TestDatabase } from './types';

export interface TestDatabaseOptions {
  /** Server to create the database on; defaults to env DATABASE_URL. Pass undefined to force PGlite. */
  databaseUrl?: string | undefined;
  /** false: an empty database (pgvector not even enabled), for testing migrations themselves. */
  migrated?: boolean;
}

/**
 * A fresh, isolated, fully migrated database for a test file (or a test).
 * - DATABASE_URL set: a new `af_test_*` database on that server, cloned from a migrated template.
 * - otherwise: an in-memory PGlite with pgvector, booted from a migrated snapshot.
 * Call `cleanup()` in afterAll/afterEach: it closes the connection and drops the database.
 */
export function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = resolveUrl(options);
  const migrated = options.migrated ?? true;
  return url ? createPostgresTestDatabase(url, migrated) : createPgliteTestDatabase(migrated);
}

/**
 * Builds the migrated template (Postgres) or snapshot (PGlite) once, up front. Optional: the first
 * createTestDatabase() does it anyway, but from a vitest globalSetup it runs before the parallel
 * workers start, so none of them waits on it. See `@agentflow/db/testing/global-setup`.
 */
export async function prepareTestDatabases(
  options: Pick<TestDatabaseOptions, 'databaseUrl'> = {},
): Promise<void> {
  const url = resolveUrl(options);
  if (url) await preparePostgresTemplate(url);
  else await preparePgliteSnapshot();
}

function resolveUrl(options: Pick<TestDatabaseOptions, 'databaseUrl'>): string | undefined {
  return ('databaseUrl' in options ? options.databaseUrl : process.env.DATABASE_URL) || undefined;
}
