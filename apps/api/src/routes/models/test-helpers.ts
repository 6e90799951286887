import { type Db, rowsOf } from '@agentflow/db';
import { users } from '@agentflow/db/schema';
import { eq, sql } from 'drizzle-orm';

/** Test-only (never imported by main.ts). */

/**
 * Every row of every table, as Postgres' text form of the whole row: the vault's dump approach
 * (packages/services/src/secrets/dump.test.ts). Run it on the owner connection (no RLS).
 */
export async function sqlDump(db: Db): Promise<string> {
  const tables = rowsOf<{ schema: string; name: string }>(
    await db.execute(sql`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`),
  );
  const parts: string[] = [];
  for (const { schema, name } of tables) {
    const rows = rowsOf<{ row: string }>(
      await db.execute(sql`select t::text as row from ${sql.identifier(schema)}.${sql.identifier(name)} t`),
    );
    parts.push(`-- ${schema}.${name}`, ...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

/** The forms a leaked secret could take: as is, base64, base64url, hex. */
export function leakForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

/** Instance admins are set by the operator in the database, never through the API. */
export async function makeInstanceAdmin(owner: Db, userId: string): Promise<void> {
  await owner.update(users).set({ isInstanceAdmin: true }).where(eq(users.id, userId));
}
