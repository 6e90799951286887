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
    // One round trip for everything else the run needs.
    const [loaded] = await tx
      .select({
        settings: sql<Record<
          string,
          unknown
        > | null>`(select ${agents.settings} from ${agents} where ${agents.id} = ${row.agentId})`,
        lastSeq: sql<number>`(select coalesce(max(${executionEvents.seq}), 0) from ${executionEvents} where ${executionEvents.executionId} = ${row.id})`,
        lastStepOrder: sql<number>`(select coalesce(max(${executionSteps.stepOrder}), 0) from ${executionSteps} where ${executionSteps.executionId} = ${row.id})`,
        definition: agentVersions.definition,
        version: agentVersions.version,
      })
      .from(sql`(select 1) as one`)
      .leftJoin(agentVersions, eq(agentVersions.id, sql`${row.agentVersionId ?? null}::uuid`));
    const version =
      loaded?.version != null ? { definition: loaded.definition, version: loaded.version } : undefined;
    return {
      row,
      settings: readSettings(loaded?.settings ?? {}),
      version,
      lastSeq: Number(loaded?.lastSeq ?? 0),
      lastStepOrder: Number(loaded?.lastStepOrder ?? 0),
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
