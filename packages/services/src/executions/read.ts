import {
  AppError,
  type Execution,
  type ExecutionEvent,
  type ExecutionEventsQuery,
  type ExecutionListQuery,
  type ExecutionLog,
  type ExecutionStep,
  type Page,
} from '@agentflow/contracts';
import {
  agents,
  agentVersions,
  executionEvents,
  executionLogs,
  executionSteps,
  executions,
} from '@agentflow/db/schema';
import { and, asc, desc, eq, gt, gte, lt, type SQL } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { getExecutionRow, toEvent, toExecution, toLog, toStep } from './present';

/** The agent's name and the pinned version number, for the list and the detail (one join each). */
const agentInfo = { agentName: agents.name, agentVersion: agentVersions.version };

export async function listExecutions(
  ctx: ServiceContext,
  query: ExecutionListQuery,
): Promise<Page<Execution>> {
  const filters: Array<SQL | undefined> = [
    eq(executions.orgId, ctx.orgId),
    query.agent_id ? eq(executions.agentId, query.agent_id) : undefined,
    query.status ? eq(executions.status, query.status) : undefined,
    query.triggered_by ? eq(executions.triggeredBy, query.triggered_by) : undefined,
    query.from ? gte(executions.createdAt, new Date(query.from)) : undefined,
    query.to ? lt(executions.createdAt, new Date(query.to)) : undefined,
    afterCursor(executions.createdAt, executions.id, query.cursor),
  ];
  return inOrg(ctx, async (tx) => {
    const rows = await tx
      .select({
        execution: executions,
        id: executions.id,
        cursorAt: cursorTimestamp(executions.createdAt),
        ...agentInfo,
      })
      .from(executions)
      .innerJoin(agents, eq(agents.id, executions.agentId))
      .leftJoin(agentVersions, eq(agentVersions.id, executions.agentVersionId))
      .where(and(...filters))
      .orderBy(desc(executions.createdAt), desc(executions.id))
      .limit(query.limit + 1);
    const page = toPage(rows, query.limit);
    return { data: page.rows.map((r) => toExecution(r.execution, r)), next_cursor: page.nextCursor };
  });
}

export async function getExecution(ctx: ServiceContext, id: string): Promise<Execution> {
  return inOrg(ctx, async (tx) => {
    const [row] = await tx
      .select({ execution: executions, ...agentInfo })
      .from(executions)
      .innerJoin(agents, eq(agents.id, executions.agentId))
      .leftJoin(agentVersions, eq(agentVersions.id, executions.agentVersionId))
      .where(and(eq(executions.id, id), eq(executions.orgId, ctx.orgId)))
      .limit(1);
    if (!row) throw new AppError('EXECUTION_NOT_FOUND', 'Execution not found.');
    return toExecution(row.execution, row);
  });
}

export async function listExecutionSteps(
  ctx: ServiceContext,
  id: string,
  query: { limit: number },
): Promise<{ data: ExecutionStep[] }> {
  return inOrg(ctx, async (tx) => {
    await getExecutionRow(tx, ctx, id);
    const rows = await tx
      .select()
      .from(executionSteps)
      .where(and(eq(executionSteps.executionId, id), eq(executionSteps.orgId, ctx.orgId)))
      .orderBy(asc(executionSteps.stepOrder))
      .limit(query.limit);
    return { data: rows.map(toStep) };
  });
}

export async function listExecutionLogs(
  ctx: ServiceContext,
  id: string,
  query: { limit: number },
): Promise<{ data: ExecutionLog[] }> {
  return inOrg(ctx, async (tx) => {
    await getExecutionRow(tx, ctx, id);
    const rows = await tx
      .select()
      .from(executionLogs)
      .where(and(eq(executionLogs.executionId, id), eq(executionLogs.orgId, ctx.orgId)))
      .orderBy(asc(executionLogs.createdAt), asc(executionLogs.id))
      .limit(query.limit);
    return { data: rows.map(toLog) };
  });
}

/** Stored events after `after`, in seq order: what a stream replays before going live. */
export async function listExecutionEvents(
  ctx: ServiceContext,
  id: string,
  query: ExecutionEventsQuery,
): Promise<{ data: ExecutionEvent[] }> {
  return inOrg(ctx, async (tx) => {
    await getExecutionRow(tx, ctx, id);
    const rows = await tx
      .select()
      .from(executionEvents)
      .where(
        and(
          eq(executionEvents.executionId, id),
          eq(executionEvents.orgId, ctx.orgId),
          gt(executionEvents.seq, query.after),
        ),
      )
      .orderBy(asc(executionEvents.seq))
      .limit(query.limit);
    return { data: rows.map(toEvent) };
  });
}
