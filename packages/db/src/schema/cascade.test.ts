import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorCode } from '../client/errors';
import { drivers } from '../test-support/drivers';
import { seedOrg } from '../test-support/fixtures';
import { count, query } from '../test-support/sql';
import type { TestDatabase } from '../testing';
import { agents, agentTemplates, agentVersions, organizations, stripeEvents, users } from '.';

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`deletes ${driver.label}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await driver.create();
    });
    afterAll(async () => {
      await database?.cleanup();
    });

    it('deleting an organization removes every tenant row and keeps users and shared rows', async () => {
      const doomed = await seedOrg(database.db);
      const survivor = await seedOrg(database.db);
      const [template] = await database.db
        .insert(agentTemplates)
        .values({ name: 'Shared', definition: {}, authorOrgId: doomed.org.id })
        .returning();
      await database.db.insert(stripeEvents).values({ eventId: 'evt_1', type: 'x', orgId: doomed.org.id });

      const tables = await query<{ table_name: string }>(
        database,
        sql`select table_name from information_schema.columns
            where table_schema = 'public' and column_name = 'org_id' and table_name <> 'stripe_events'`,
      );
      expect(tables.length).toBeGreaterThan(25);
      for (const { table_name } of tables) {
        expect(await count(database, table_name, sql`org_id = ${doomed.org.id}`), table_name).toBeGreaterThan(
          0,
        );
      }

      await database.db.delete(organizations).where(eq(organizations.id, doomed.org.id));

      for (const { table_name } of tables) {
        expect(await count(database, table_name, sql`org_id = ${doomed.org.id}`), table_name).toBe(0);
        expect(
          await count(database, table_name, sql`org_id = ${survivor.org.id}`),
          table_name,
        ).toBeGreaterThan(0);
      }
      // Users are global; templates and processed Stripe events outlive their org.
      const [user] = await database.db.select().from(users).where(eq(users.id, doomed.user.id));
      expect(user?.email).toBe(doomed.user.email);
      const [kept] = await database.db
        .select()
        .from(agentTemplates)
        .where(eq(agentTemplates.id, template!.id));
      expect(kept?.authorOrgId).toBeNull();
      const [event] = await database.db.select().from(stripeEvents).where(eq(stripeEvents.eventId, 'evt_1'));
      expect(event?.orgId).toBeNull();
    });

    it('deleting an agent removes its versions, graph and runs in one statement', async () => {
      const seeded = await seedOrg(database.db);
      await database.db.delete(agents).where(eq(agents.id, seeded.agent.id));
      for (const table of ['agent_versions', 'agent_nodes', 'executions', 'execution_events']) {
        expect(await count(database, table, sql`org_id = ${seeded.org.id}`), table).toBe(0);
      }
      // Billing history survives the run it was recorded for.
      expect(await count(database, 'usage_records', sql`org_id = ${seeded.org.id}`)).toBe(1);
    });

    it('refuses to delete a version that executions ran on', async () => {
      const seeded = await seedOrg(database.db);
      const error = await database.db
        .delete(agentVersions)
        .where(eq(agentVersions.id, seeded.version.id))
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(pgErrorCode(error)).toBe('23503');
    });
  });
}
