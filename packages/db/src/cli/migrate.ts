import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { createDb, type Database } from '../client';
import { rowsOf } from '../client/rows';
import { locateMigrationsDir, migrate } from '../migrate';

// `pnpm db:migrate`: DATABASE_URL when set, otherwise the embedded PGlite database the API uses:
// DATA_DIR/pglite, where DATA_DIR defaults to the repository's .data (as `pnpm dev` and `pnpm start`).
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const folder = locateMigrationsDir();
  const dataDir =
    process.env.PGLITE_DIR || join(resolve(process.env.DATA_DIR || join(folder, '..', '.data')), 'pglite');
  const target = databaseUrl ? `postgres ${redact(databaseUrl)}` : `pglite ${dataDir}`;
  console.log(`migrating ${target} with ${folder}`);
  const database = await createDb({ databaseUrl, dataDir, maxConnections: 1 });
  try {
    const before = await appliedCount(database);
    const started = performance.now();
    await migrate(database, { migrationsDir: folder });
    const after = await appliedCount(database);
    const ms = Math.round(performance.now() - started);
    console.log(`applied ${after - before} migration(s) (${after} total) in ${ms} ms`);
  } finally {
    await database.close();
  }
}

async function appliedCount(database: Database): Promise<number> {
  const exists = await database.db.execute(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!rowsOf<{ present: boolean }>(exists)[0]?.present) return 0;
  const result = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

main().catch((error: unknown) => {
  console.error('migration failed:', error);
  process.exitCode = 1;
});
