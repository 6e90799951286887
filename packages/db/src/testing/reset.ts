import { sql } from 'drizzle-orm';
import { rowsOf } from '../client/rows';
import type { Database } from '../client/types';

/** TRUNCATE every table in the public schema in one statement (drizzle's own bookkeeping lives elsewhere). */
export async function truncateAll(database: Database): Promise<void> {
  const tables = rowsOf<{ name: string }>(
    await database.db.execute(
      sql`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`,
    ),
  );
  if (tables.length === 0) return;
  const list = tables.map((t) => `public.${t.name}`).join(', ');
  await database.db.execute(sql.raw(`truncate table ${list} restart identity cascade`));
}
