import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../client/errors';
import { drivers } from '../test-support/drivers';
import { seedOrg } from '../test-support/fixtures';
import type { TestDatabase } from '../testing';
import { agents, executionEvents, executions, organizations, users } from '.';

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`round trip ${driver.label}`, () => {
    let database: TestDatabase;
    let seeded: Awaited<ReturnType<typeof seedOrg>>;
    beforeAll(async () => {
      database = await driver.create();
      seeded = await seedOrg(database.db);
    });
    afterAll(async () => {
      await database?.cleanup();
    });

    it('reads an org back with members, agents, versions and the graph through relations', async () => {
      const org = await database.db.query.organizations.findFirst({
        where: eq(organizations.id, seeded.org.id),
        with: {
          memberships: { with: { user: true } },
          agents: {
            with: {
              publishedVersion: true,
              versions: { with: { nodes: { with: { outgoingEdges: true } } } },
            },
          },
        },
      });
      expect(org?.slug).toBe(seeded.org.slug);
      expect(org?.plan).toBe('starter');
      expect(org?.settings).toEqual({});
      expect(org?.createdAt).toBeInstanceOf(Date);
      expect(org?.memberships).toHaveLength(1);
      expect(org?.memberships[0]?.role).toBe('owner');
      expect(org?.memberships[0]?.user.email).toBe(seeded.user.email);
      const agent = org?.agents[0];
      expect(agent?.status).toBe('active');
      expect(agent?.publishedVersion?.version).toBe(1);
      expect(agent?.draftDefinition).toEqual({ nodes: [{ id: 'llm_1', type: 'llm' }], edges: [] });
      const nodes = agent?.versions[0]?.nodes ?? [];
      expect(nodes.map((n) => n.nodeKey).sort()).toEqual(['llm_1', 'trigger_1']);
      expect(nodes.find((n) => n.nodeKey === 'trigger_1')?.outgoingEdges).toHaveLength(1);
    });

    it('reads an execution with steps, logs and events; keeps numeric money exact', async () => {
      const execution = await database.db.query.executions.findFirst({
        where: eq(executions.id, seeded.execution.id),
        with: { agent: true, version: true, steps: { with: { logs: true } }, events: true },
      });
      expect(execution?.status).toBe('pending');
      expect(execution?.attempts).toBe(0);
      expect(execution?.totalCost).toBe('0.000000');
      expect(execution?.agent.id).toBe(seeded.agent.id);
      expect(execution?.version?.id).toBe(seeded.version.id);
      // Nested relations travel as JSON, so numeric scale is not preserved there: compare values.
      expect(Number(execution?.steps[0]?.cost)).toBe(0.0012);
      expect(execution?.steps[0]?.logs[0]?.message).toBe('hello');
      expect(execution?.events.map((e) => e.seq)).toEqual([1]);
    });

    it('bumps updated_at on update through the query builder', async () => {
      const before = seeded.agent.updatedAt;
      await new Promise((r) => setTimeout(r, 5));
      const [after] = await database.db
        .update(agents)
        .set({ name: 'Renamed' })
        .where(eq(agents.id, seeded.agent.id))
        .returning();
      expect(after!.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    });

    it('rejects a duplicate (execution_id, seq) event', async () => {
      const row = {
        orgId: seeded.org.id,
        executionId: seeded.execution.id,
        seq: 2,
        type: 'step.started',
      };
      await database.db.insert(executionEvents).values(row);
      const error = await database.db
        .insert(executionEvents)
        .values(row)
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
    });

    it('rejects a second email with the same address', async () => {
      const error = await database.db
        .insert(users)
        .values({ email: seeded.user.email })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
    });

    it('rejects a reused idempotency key within an org only', async () => {
      const again = {
        orgId: seeded.org.id,
        agentId: seeded.agent.id,
        idempotencyKey: seeded.execution.idempotencyKey,
      };
      const error = await database.db
        .insert(executions)
        .values(again)
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      // No key at all never conflicts.
      await database.db.insert(executions).values({ ...again, idempotencyKey: null });
      await database.db.insert(executions).values({ ...again, idempotencyKey: null });
    });
  });
}
