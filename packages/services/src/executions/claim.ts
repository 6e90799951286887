import { type Db, withOrg } from '@agentflow/db';
import { agents, agentVersions, executionEvents, executionSteps, executions } from '@agentflow/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import { readSettings } from '../agents/present';

export type ExecutionRow = typeof executions.$inferSelect;

export interface Claimed {
  row: ExecutionRow;
  settings: ReturnType<typeof readSettings>;
  version: { definition: unknown; version: number } | undefined;
  lastSeq: number;
  lastStepOrder: number;
}

/**
 * `pending -> running` with a lease, by compare-and-swap: a delivery that finds the row claimed,
 * finished or cancelled gets `undefined` and does nothing, so a duplicate delivery can never run an
 * execution twice. Loads what the run needs in the same transaction.
 */
export async function claimExecution(
  db: Db,
  ids: { orgId: string; executionId: string },
  lease: { owner: string; ms: number },
): Promise<Claimed | undefined> {
  return withOrg(db, ids.orgId, async (tx) => {
    const [row] = await tx
      .update(executions)
      .set({
        status: 'running',
        leaseOwner: lease.owner,
        leaseExpiresAt: sql`now() + make_interval(secs => ${lease.ms / 1000})`,
        startedAt: sql`coalesce(${executions.startedAt}, now())`,
        attempts: sql`${executions.attempts} + 1`,
      })
      .where(
        and(
          eq(executions.id, ids.executionId),
          eq(executions.status, 'pending'),
          sql`${executions.cancelRequestedAt} is null`,
        ),
      )
      .returning();
    if (!row) return undefined;
    const [agent] = await tx
      .select({ settings: agents.settings })
      .from(agents)
      .where(eq(agents.id, row.agentId))
      .limit(1);
    const [version] = row.agentVersionId
      ? await tx
          .select({ definition: agentVersions.definition, version: agentVersions.version })
          .from(agentVersions)
          .where(eq(agentVersions.id, row.agentVersionId))
          .limit(1)
      : [];
    const [last] = await tx
      .select({ seq: sql<number>`coalesce(max(${executionEvents.seq}), 0)` })
      .from(executionEvents)
      .where(eq(executionEvents.executionId, ids.executionId));
    const [steps] = await tx
      .select({ order: sql<number>`coalesce(max(${executionSteps.stepOrder}), 0)` })
      .from(executionSteps)
      .where(eq(executionSteps.executionId, ids.executionId));
    return {
      row,
      settings: readSettings(agent?.settings ?? {}),
      version,
      lastSeq: Number(last?.seq ?? 0),
      lastStepOrder: Number(steps?.order ?? 0),
    };
  });
}

/**
 * Renews the lease while the run is alive. Resolves `lost` when the row is no longer ours (the reaper
 * took it over after a long pause) and `cancel` when someone asked to cancel it.
 */
export async function renewLease(
  db: Db,
  ids: { orgId: string; executionId: string },
  lease: { owner: string; ms: number },
): Promise<'ok' | 'lost' | 'cancel'> {
  const rows = await withOrg(db, ids.orgId, (tx) =>
    tx
      .update(executions)
      .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${lease.ms / 1000})` })
      .where(
        and(
          eq(executions.id, ids.executionId),
          eq(executions.leaseOwner, lease.owner),
          eq(executions.status, 'running'),
        ),
      )
      .returning({ cancelRequestedAt: executions.cancelRequestedAt }),
  );
  if (rows.length === 0) return 'lost';
  return rows[0]?.cancelRequestedAt ? 'cancel' : 'ok';
}
