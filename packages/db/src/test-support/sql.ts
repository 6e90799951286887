import { type SQL, sql } from 'drizzle-orm';
import { rowsOf } from '../client/rows';
import type { Database } from '../client/types';

/** Raw query returning typed rows on either driver (tests only: no validation of the shape). */
export async function query<T>(database: Database, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await database.db.execute(statement));
}

export async function count(database: Database, table: string, where?: SQL): Promise<number> {
  const filter = where ? sql` where ${where}` : sql``;
  const [row] = await query<{ n: number }>(
    database,
    sql`select count(*)::int as n from ${sql.identifier(table)}${filter}`,
  );
  return row?.n ?? 0;
}
