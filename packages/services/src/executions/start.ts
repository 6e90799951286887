import {
  AppError,
  type ExecuteAgentResult,
  type ExecutionStatusValue,
  type ExecutionTrigger,
  idempotencyWindowHours,
  limitsOfPlan,
  type PlanLimits,
  planLimits,
} from '@agentflow/contracts';
import { type Db, rowsOf } from '@agentflow/db';
import { agents, executions, organizations } from '@agentflow/db/schema';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { readSettings } from '../agents/present';
import { inOrg, type ServiceContext } from '../context';

/**
 * The part of a queue driver starting an execution needs (structurally a `QueueDriver` of
 * `@agentflow/queue`, which services does not depend on). The job id defaults to the execution id.
 */
export interface ExecutionQueue {
  enqueue(
    queue: 'executions',
    payload: { execution_id: string; org_id: string },
    options?: { jobId?: string },
  ): Promise<unknown>;
}

export interface StartExecutionInput {
  agentId: string;
  triggerData: Record<string, unknown>;
  triggeredBy: ExecutionTrigger;
  idempotencyKey?: string | undefined;
}

export type AgentRow = typeof agents.$inferSelect;

/** The result of `insertExecution`: the run to answer with, and whether this call created it. */
export type StartedExecution = { row: { id: string; status: string }; fresh: boolean };

/**
 * Checks the agent can run, pins its published version, inserts the execution (`pending`) and
 * enqueues it (job id = execution id). The agent row is locked for the check-and-insert, so two
 * concurrent starts can neither both pass the concurrency limit nor both use one idempotency key.
 */
export async function startExecution(
  ctx: ServiceContext,
  input: StartExecutionInput,
  deps: { queue: ExecutionQueue },
): Promise<ExecuteAgentResult> {
  const started = await inOrg(ctx, (tx) => insertExecution(tx, ctx, input));
  return enqueueStarted(ctx, started, deps);
}

/** Locks the agent row for a start (`insertExecution`); undefined when the org has no such agent. */
export async function lockAgentForStart(tx: Db, ctx: ServiceContext, agentId: string) {
  const [agent] = await tx
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.orgId, ctx.orgId)))
    .for('update')
    .limit(1);
  return agent;
}

/**
 * The transactional half of a start, for callers that start inside a larger transaction (a webhook
 * delivery records its id in the same one). `lockedAgent`: the agent row the caller already locked
 * with `lockAgentForStart` in this transaction. Enqueue with `enqueueStarted` after the commit.
 */
export async function insertExecution(
  tx: Db,
  ctx: ServiceContext,
  input: StartExecutionInput,
  lockedAgent?: AgentRow,
): Promise<StartedExecution> {
  const agent = lockedAgent ?? (await lockAgentForStart(tx, ctx, input.agentId));
  if (!agent) throw new AppError('AGENT_NOT_FOUND', 'Agent not found.');

  if (input.idempotencyKey) {
    const [previous] = await tx
      .select({
        id: executions.id,
        status: executions.status,
        agentId: executions.agentId,
        fresh: sql<boolean>`${executions.createdAt} > now() - make_interval(hours => ${idempotencyWindowHours})`,
      })
      .from(executions)
      .where(and(eq(executions.orgId, ctx.orgId), eq(executions.idempotencyKey, input.idempotencyKey)))
      .limit(1);
    if (previous?.fresh) {
      if (previous.agentId !== agent.id) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This idempotency key already started an execution of another agent.',
          { execution_id: previous.id },
        );
      }
      return { row: previous, fresh: false };
    }
    // An expired key is free again; the unique index (org, key) needs the old run to let go of it.
    if (previous) {
      await tx.update(executions).set({ idempotencyKey: null }).where(eq(executions.id, previous.id));
    }
  }

  if (agent.status === 'archived') throw new AppError('AGENT_ARCHIVED', 'The agent is archived.');
  if (!agent.publishedVersionId) {
    throw new AppError('AGENT_NOT_PUBLISHED', 'Publish the agent before executing it.');
  }
  if (agent.status !== 'active') {
    throw new AppError('AGENT_NOT_ACTIVE', `The agent is ${agent.status}: activate it to execute it.`, {
      status: agent.status,
    });
  }

  const settings = readSettings(agent.settings);
  await assertWithinLimits(tx, ctx.orgId, agent.id, settings.concurrency_limit);

  const [inserted] = await tx
    .insert(executions)
    .values({
      orgId: ctx.orgId,
      agentId: agent.id,
      agentVersionId: agent.publishedVersionId,
      triggeredBy: input.triggeredBy,
      triggeredByUserId: ctx.actor.type === 'user' ? ctx.actor.userId : null,
      triggerData: input.triggerData,
      status: 'pending',
      idempotencyKey: input.idempotencyKey ?? null,
      timeoutMs: settings.timeout_seconds * 1000,
    })
    .returning({ id: executions.id, status: executions.status });
  return { row: inserted!, fresh: true };
}

/**
 * The other half: after the commit, a fresh execution goes on the queue. If that fails, the row is
 * failed at once (nothing would ever pick it up) and the caller gets 503.
 */
export async function enqueueStarted(
  ctx: ServiceContext,
  { row, fresh }: StartedExecution,
  deps: { queue: ExecutionQueue },
): Promise<ExecuteAgentResult> {
  if (fresh) {
    try {
      await deps.queue.enqueue('executions', { execution_id: row.id, org_id: ctx.orgId });
    } catch (error) {
      await inOrg(ctx, (tx) =>
        tx
          .update(executions)
          .set({
            status: 'failed',
            errorCode: 'QUEUE_UNAVAILABLE',
            errorMessage: 'The execution could not be queued.',
            completedAt: new Date(),
          })
          .where(and(eq(executions.id, row.id), eq(executions.status, 'pending'))),
      );
      throw new AppError('SERVICE_UNAVAILABLE', 'The execution queue is unavailable; try again.', {
        cause: (error as Error).message,
      });
    }
  }
  return { execution_id: row.id, status: row.status as ExecutionStatusValue };
}

/**
 * The org's plan limits (pending + running executions at once, executions started in the last hour,
 * a rolling window) and the agent's own concurrency_limit, counted under the agent's row lock in one
 * statement. Each count stops at its limit (that is all the check needs) and walks its own index:
 * (org, status) for active runs, (org, created_at desc) for the last hour, (agent, status).
 */
/** The org's limit as SQL (`org` = the CTE holding its plan); an unknown plan gets the starter's. */
function planLimitSql(limit: keyof PlanLimits): SQL {
  const cases = Object.entries(planLimits).map(
    ([plan, limits]) => sql`when ${plan} then ${limits[limit]}::int`,
  );
  return sql`(select case plan ${sql.join(cases, sql` `)} else ${planLimits.starter[limit]}::int end from org)`;
}

async function assertWithinLimits(
  tx: Db,
  orgId: string,
  agentId: string,
  concurrencyLimit: number,
): Promise<void> {
  const [usage] = rowsOf<{ plan: string | null; active: number; last_hour: number; agent_active: number }>(
    await tx.execute(sql`
      with org as (select ${organizations.plan} as plan from ${organizations} where ${organizations.id} = ${orgId})
      select
        (select plan from org) as plan,
        (select count(*) from (
          select 1 from ${executions}
          where ${executions.orgId} = ${orgId} and ${executions.status} in ('pending', 'running')
          limit ${planLimitSql('max_concurrent_executions')}) a)::int as active,
        (select count(*) from (
          select 1 from ${executions}
          where ${executions.orgId} = ${orgId} and ${executions.createdAt} > now() - interval '1 hour'
          limit ${planLimitSql('executions_per_hour')}) h)::int as last_hour,
        (select count(*) from (
          select 1 from ${executions}
          where ${executions.agentId} = ${agentId} and ${executions.status} in ('pending', 'running')
          limit ${concurrencyLimit}) g)::int as agent_active`),
  );
  const org = { plan: usage?.plan ?? null };
  const limits = limitsOfPlan(org.plan);
  const active = Number(usage?.active ?? 0);
  const lastHour = Number(usage?.last_hour ?? 0);
  if (active >= limits.max_concurrent_executions) {
    throw new AppError(
      'PLAN_LIMIT_EXCEEDED',
      `Your plan runs at most ${limits.max_concurrent_executions} executions at once; that many are pending or running.`,
      {
        plan: org?.plan ?? 'starter',
        limit: 'max_concurrent_executions',
        max: limits.max_concurrent_executions,
        active,
      },
    );
  }
  if (lastHour >= limits.executions_per_hour) {
    throw new AppError(
      'PLAN_LIMIT_EXCEEDED',
      `Your plan starts at most ${limits.executions_per_hour} executions per hour.`,
      {
        plan: org?.plan ?? 'starter',
        limit: 'executions_per_hour',
        max: limits.executions_per_hour,
        started: lastHour,
      },
    );
  }
  // The agent's own limit after the plan's (a plan refusal says more to the caller).
  const agentActive = Number(usage?.agent_active ?? 0);
  if (agentActive >= concurrencyLimit) {
    throw new AppError(
      'CONCURRENCY_LIMIT_EXCEEDED',
      `The agent already has ${agentActive} pending or running executions (concurrency_limit ${concurrencyLimit}).`,
      { concurrency_limit: concurrencyLimit, active: agentActive },
    );
  }
}
