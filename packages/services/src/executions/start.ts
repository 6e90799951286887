import {
  AppError,
  type ExecuteAgentResult,
  type ExecutionStatusValue,
  type ExecutionTrigger,
  idempotencyWindowHours,
  limitsOfPlan,
} from '@agentflow/contracts';
import { type Db, rowsOf } from '@agentflow/db';
import { agents, executions, organizations } from '@agentflow/db/schema';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
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

/** Counted against the agent's concurrency_limit. */
const activeStatuses: ExecutionStatusValue[] = ['pending', 'running'];

type Started = { row: { id: string; status: string }; fresh: boolean };

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
  const { row, fresh } = await inOrg(ctx, async (tx): Promise<Started> => {
    const [agent] = await tx
      .select()
      .from(agents)
      .where(and(eq(agents.id, input.agentId), eq(agents.orgId, ctx.orgId)))
      .for('update')
      .limit(1);
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

    await assertWithinPlan(tx, ctx.orgId);
    const settings = readSettings(agent.settings);
    const [active] = await tx
      .select({ n: count() })
      .from(executions)
      .where(and(eq(executions.agentId, agent.id), inArray(executions.status, activeStatuses)));
    if ((active?.n ?? 0) >= settings.concurrency_limit) {
      throw new AppError(
        'CONCURRENCY_LIMIT_EXCEEDED',
        `The agent already has ${active?.n} pending or running executions (concurrency_limit ${settings.concurrency_limit}).`,
        { concurrency_limit: settings.concurrency_limit, active: active?.n ?? 0 },
      );
    }

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
  });

  if (fresh) {
    try {
      await deps.queue.enqueue('executions', { execution_id: row.id, org_id: ctx.orgId });
    } catch (error) {
      // Nothing would ever pick the row up: fail it now rather than leave it pending forever.
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
 * The org's plan limits: pending + running executions at once, and executions started in the last
 * hour (a rolling window). Counted under the agent's row lock, like the agent's own limit.
 */
async function assertWithinPlan(tx: Db, orgId: string): Promise<void> {
  const [org] = await tx
    .select({ plan: organizations.plan })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .limit(1);
  const limits = limitsOfPlan(org?.plan);
  // Each count stops at its limit (that is all the check needs) and walks its own index: (org, status)
  // for active runs, (org, created_at desc) for the last hour. Bounded work on every start.
  const [usage] = rowsOf<{ active: number; last_hour: number }>(
    await tx.execute(sql`
      select
        (select count(*) from (
          select 1 from ${executions}
          where ${executions.orgId} = ${orgId} and ${executions.status} in ('pending', 'running')
          limit ${limits.max_concurrent_executions}) a)::int as active,
        (select count(*) from (
          select 1 from ${executions}
          where ${executions.orgId} = ${orgId} and ${executions.createdAt} > now() - interval '1 hour'
          limit ${limits.executions_per_hour}) h)::int as last_hour`),
  );
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
}
