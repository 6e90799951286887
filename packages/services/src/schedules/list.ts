import { asSystem, type Db } from '@agentflow/db';
import { agentSchedules, agents } from '@agentflow/db/schema';
import { and, asc, eq } from 'drizzle-orm';

/** What a scheduler needs to fire an agent's ticks; the tick itself re-reads everything else. */
export interface ActiveSchedule {
  agentId: string;
  orgId: string;
  cron: string;
  timezone: string;
}

/**
 * Every schedule that should be ticking, across orgs: the source the schedulers (BullMQ job
 * schedulers, the in-process timer) are reconciled from. Cross-org on purpose, hence `asSystem`;
 * it returns only what routing a tick needs, never the trigger data.
 */
export async function listActiveSchedules(db: Db): Promise<ActiveSchedule[]> {
  return asSystem(db, 'schedulers: reconcile every active agent schedule across orgs', (tx) =>
    tx
      .select({
        agentId: agentSchedules.agentId,
        orgId: agentSchedules.orgId,
        cron: agentSchedules.cron,
        timezone: agentSchedules.timezone,
      })
      .from(agentSchedules)
      .innerJoin(agents, eq(agents.id, agentSchedules.agentId))
      .where(and(eq(agentSchedules.isActive, true), eq(agents.status, 'active')))
      .orderBy(asc(agentSchedules.agentId)),
  );
}
