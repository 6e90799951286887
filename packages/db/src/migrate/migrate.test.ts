import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { drivers } from '../test-support/drivers';
import { count, query } from '../test-support/sql';
import type { TestDatabase } from '../testing';
import { locateMigrationsDir } from './locate';
import { migrate } from './migrate';

const journal = JSON.parse(readFileSync(join(locateMigrationsDir(), 'meta', '_journal.json'), 'utf8')) as {
  entries: unknown[];
};

async function publicTableCount(database: TestDatabase): Promise<number> {
  const [row] = await query<{ n: number }>(
    database,
    sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
  );
  return row?.n ?? 0;
}

async function appliedCount(database: TestDatabase): Promise<number> {
  const [row] = await query<{ n: number }>(
    database,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row?.n ?? 0;
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`migrate() ${driver.label}`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.cleanup();
      database = undefined;
    });

    it('applies every migration to an empty database, then is a no-op the second time', async () => {
      database = await driver.create({ migrated: false });
      expect(await publicTableCount(database)).toBe(0);
      await migrate(database);
      expect(await count(database, 'organizations')).toBe(0);
      const [ext] = await query<{ extname: string }>(
        database,
        sql`select extname from pg_extension where extname = 'vector'`,
      );
      expect(ext?.extname).toBe('vector');
      expect(await appliedCount(database)).toBe(journal.entries.length);

      const tables = await publicTableCount(database);
      await migrate(database);
      expect(await publicTableCount(database)).toBe(tables);
      expect(await appliedCount(database)).toBe(journal.entries.length);
    });

    it.skipIf(driver.name !== 'postgres')('serialises concurrent migrators on one database', async () => {
      database = await driver.create({ migrated: false });
      const target = database;
      await Promise.all([migrate(target), migrate(target), migrate(target)]);
      expect(await appliedCount(target)).toBe(journal.entries.length);
    });
  });
}
