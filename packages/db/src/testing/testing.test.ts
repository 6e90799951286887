import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { organizations } from '../schema';
import { drivers } from '../test-support/drivers';
import { count, query } from '../test-support/sql';

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`createTestDatabase ${driver.label}`, () => {
    it('returns migrated databases that do not see each other', async () => {
      const [a, b] = await Promise.all([driver.create(), driver.create()]);
      try {
        expect(a.driver).toBe(driver.name);
        if (driver.name === 'postgres') expect(a.name).not.toBe(b.name);
        await a.db.insert(organizations).values({ name: 'A', slug: 'same-slug' });
        expect(await count(a, 'organizations')).toBe(1);
        expect(await count(b, 'organizations')).toBe(0);
        // Same unique slug in the other database: no shared state at all.
        await b.db.insert(organizations).values({ name: 'B', slug: 'same-slug' });
      } finally {
        await Promise.all([a.cleanup(), b.cleanup()]);
      }
    });

    it('cleanup() drops the database and may be called twice', async () => {
      const database = await driver.create();
      await database.ping();
      await database.cleanup();
      await database.cleanup();
      await expect(database.ping()).rejects.toThrow();
      if (driver.name === 'postgres') {
        const admin = await driver.create({ migrated: false });
        try {
          const rows = await query<{ datname: string }>(
            admin,
            sql`select datname from pg_database where datname = ${database.name}`,
          );
          expect(rows).toEqual([]);
        } finally {
          await admin.cleanup();
        }
      }
    });

    it('reset() empties every table', async () => {
      const database = await driver.create();
      try {
        await database.db.insert(organizations).values({ name: 'A', slug: 'a' });
        await database.reset();
        expect(await count(database, 'organizations')).toBe(0);
        await database.db.insert(organizations).values({ name: 'A', slug: 'a' });
      } finally {
        await database.cleanup();
      }
    });

    it('handles many concurrent creations', async () => {
      const all = await Promise.all(Array.from({ length: 4 }, () => driver.create()));
      try {
        for (const database of all) expect(await count(database, 'organizations')).toBe(0);
      } finally {
        await Promise.all(all.map((d) => d.cleanup()));
      }
    });
  });
}

describe('stale test database names', () => {
  it('reads the creation time only from names createTestDatabase made', async () => {
    const { testDatabaseCreatedAt } = await import('./postgres');
    const now = Date.now();
    expect(testDatabaseCreatedAt(`af_test_${now.toString(36)}_0a1b2c3d4e`)).toBe(now);
    // "e2e" parses as base 36 (18230 ms after 1970): such a name must never look stale.
    expect(testDatabaseCreatedAt('af_test_e2e_5f3a9c')).toBeUndefined();
    expect(testDatabaseCreatedAt('af_test_mine')).toBeUndefined();
    expect(testDatabaseCreatedAt('af_test_')).toBeUndefined();
  });
});
