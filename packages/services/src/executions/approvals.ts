import {
  AppError,
  type Approval,
  type ApprovalListQuery,
  type ApproveExecutionBody,
  executionJobId,
  type Page,
  type Role,
  roleHasPermission,
} from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { agents, executionApprovals, executions } from '@agentflow/db/schema';
import type { PendingInterrupt } from '@agentflow/engine';
import { and, count, desc, eq, lt, sql } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { appendExecutionEvents, publishStoredEvents } from './append';
import type { EventPublisher } from './recorder';
import type { ExecutionQueue } from './start';

type ApprovalRow = typeof executionApprovals.$inferSelect;

interface ApprovalRequest {
  node_id?: string;
  message?: string;
  approvers?: { roles?: string[]; user_ids?: string[] };
  on_timeout?: 'approve' | 'reject' | 'fail';
  timeout_seconds?: number;
  expires_at?: string;
}

/**
 * Records the pause of a human node (in the transaction that moves the execution to
 * `waiting_approval`). A pause recorded before (same interrupt) is returned as is.
 */
export async function recordPause(
  tx: Db,
  p: {
    orgId: string;
    executionId: string;
    interrupt: PendingInterrupt;
    stepIdOf: (nodeId: string) => string | null;
  },
): Promise<Record<string, unknown>> {
  const request = (p.interrupt.value ?? {}) as ApprovalRequest;
  const nodeKey = String(request.node_id ?? 'human');
  const interruptId = p.interrupt.id ?? null;
  const existing = interruptId
    ? await findApprovalForInterrupt(tx, { executionId: p.executionId, interruptId })
    : undefined;
  let row = existing?.status === 'pending' ? existing : undefined;
  if (!row) {
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(executionApprovals)
      .where(and(eq(executionApprovals.executionId, p.executionId), eq(executionApprovals.nodeKey, nodeKey)));
    const timeoutSeconds = Number(request.timeout_seconds ?? 86_400);
    [row] = await tx
      .insert(executionApprovals)
      .values({
        orgId: p.orgId,
        executionId: p.executionId,
        stepId: p.stepIdOf(nodeKey),
        nodeKey,
        interruptId,
        message: String(request.message ?? 'Approval required'),
        approvers: request.approvers ?? {},
        iteration: Number(n) + 1,
        timeoutAction: request.on_timeout ?? 'reject',
        expiresAt: sql`now() + make_interval(secs => ${timeoutSeconds})`,
      })
      .returning();
  }
  return {
    approval_id: row!.id,
    node_id: nodeKey,
    message: row!.message,
    approvers: row!.approvers,
    on_timeout: row!.timeoutAction,
    expires_at: row!.expiresAt.toISOString(),
    iteration: row!.iteration,
  };
}

/** The approval that answers this pause (the interrupt it was recorded for). */
export async function findApprovalForInterrupt(
  tx: Db,
  p: { executionId: string; interruptId: string | null },
): Promise<ApprovalRow | undefined> {
  const [row] = await tx
    .select()
    .from(executionApprovals)
    .where(
      and(
        eq(executionApprovals.executionId, p.executionId),
        p.interruptId === null
          ? sql`${executionApprovals.interruptId} is null`
          : eq(executionApprovals.interruptId, p.interruptId),
      ),
    )
    .orderBy(desc(executionApprovals.createdAt))
    .limit(1);
  return row;
}

/**
 * Who may decide: editors and above always; the node's named approvers too (a listed user id, or a
 * member whose role is listed), so a node can let a viewer approve.
 */
export function canDecide(row: Pick<ApprovalRow, 'approvers'>, who: { userId: string; role: Role }): boolean {
  if (roleHasPermission(who.role, 'agents:execute')) return true;
  return Boolean(row.approvers.user_ids?.includes(who.userId) || row.approvers.roles?.includes(who.role));
}

function toApproval(row: ApprovalRow, agent: { id: string; name: string }): Approval {
  return {
    id: row.id,
    execution_id: row.executionId,
    agent_id: agent.id,
    agent_name: agent.name,
    step_id: row.stepId,
    node_id: row.nodeKey,
    message: row.message,
    approvers: row.approvers as Approval['approvers'],
    iteration: row.iteration,
    status: row.status,
    on_timeout: row.timeoutAction,
    expires_at: row.expiresAt.toISOString(),
    decided_by: row.decidedBy,
    decided_at: row.decidedAt?.toISOString() ?? null,
    comment: row.comment,
    created_at: row.createdAt.toISOString(),
  };
}

/** Pending approvals the caller may decide, newest first. */
export async function listApprovals(
  ctx: ServiceContext,
  who: { userId: string; role: Role },
  query: ApprovalListQuery,
): Promise<Page<Approval>> {
  const editor = roleHasPermission(who.role, 'agents:execute');
  const a = executionApprovals;
  return inOrg(ctx, async (tx) => {
    const rows = await tx
      .select({
        approval: a,
        agent: { id: agents.id, name: agents.name },
        id: a.id,
        cursorAt: cursorTimestamp(a.createdAt),
      })
      .from(a)
      .innerJoin(executions, eq(executions.id, a.executionId))
      .innerJoin(agents, eq(agents.id, executions.agentId))
      .where(
        and(
          eq(a.orgId, ctx.orgId),
          eq(a.status, 'pending'),
          query.execution_id ? eq(a.executionId, query.execution_id) : undefined,
          query.agent_id ? eq(executions.agentId, query.agent_id) : undefined,
          editor
            ? undefined
            : sql`(${a.approvers} -> 'user_ids' ? ${who.userId} or ${a.approvers} -> 'roles' ? ${who.role})`,
          afterCursor(a.createdAt, a.id, query.cursor),
        ),
      )
      .orderBy(desc(a.createdAt), desc(a.id))
      .limit(query.limit + 1);
    const page = toPage(rows, query.limit);
    return { data: page.rows.map((r) => toApproval(r.approval, r.agent)), next_cursor: page.nextCursor };
  });
}

export interface DecideDeps {
  queue: ExecutionQueue;
  events?: EventPublisher | undefined;
}

/**
 * A person approves or rejects a waiting execution. The approval is decided by compare-and-swap
 * (two approvers at once: one wins, the other gets a 409), the execution goes back to `pending`, the
 * decision is audited and stored as an event, and a new delivery resumes the run from its checkpoint
 * on whichever worker takes it.
 */
export async function decideApproval(
  ctx: ServiceContext,
  who: { userId: string; role: Role },
  executionId: string,
  body: ApproveExecutionBody,
  deps: DecideDeps,
): Promise<{ execution_id: string; status: string; approval: Approval }> {
  const decided = await inOrg(ctx, async (tx) => {
    const [execution] = await tx
      .select()
      .from(executions)
      .where(and(eq(executions.id, executionId), eq(executions.orgId, ctx.orgId)))
      .for('update')
      .limit(1);
    if (!execution) throw new AppError('EXECUTION_NOT_FOUND', 'Execution not found.');
    const [pending] = await tx
      .select()
      .from(executionApprovals)
      .where(and(eq(executionApprovals.executionId, executionId), eq(executionApprovals.status, 'pending')))
      .limit(1);
    if (execution.status !== 'waiting_approval' || !pending) {
      throw new AppError(
        'EXECUTION_NOT_WAITING_APPROVAL',
        `The execution is ${execution.status}, not waiting for approval.`,
        {
          status: execution.status,
        },
      );
    }
    if (!canDecide(pending, who)) {
      throw new AppError('APPROVAL_NOT_ALLOWED', 'You are not one of the approvers of this step.', {
        approvers: pending.approvers,
      });
    }
    const status = body.decision === 'approve' ? 'approved' : 'rejected';
    const [row] = await tx
      .update(executionApprovals)
      .set({ status, decidedBy: who.userId, decidedAt: new Date(), comment: body.comment ?? null })
      .where(and(eq(executionApprovals.id, pending.id), eq(executionApprovals.status, 'pending')))
      .returning();
    await tx.update(executions).set({ status: 'pending' }).where(eq(executions.id, executionId));
    const stored = await appendExecutionEvents(tx, { orgId: ctx.orgId, executionId }, [
      {
        type: 'log',
        payload: {
          level: 'info',
          message: `Approval ${status} by a person${body.comment ? `: ${body.comment}` : ''}`,
          data: {
            approval_id: pending.id,
            decision: body.decision,
            by: who.userId,
            comment: body.comment ?? null,
          },
        },
      },
    ]);
    await recordAudit(tx, ctx, {
      action: `execution.${status}`,
      resourceType: 'execution',
      resourceId: executionId,
      details: { approval_id: pending.id, node_id: pending.nodeKey, comment: body.comment ?? null },
    });
    const [agent] = await tx
      .select({ id: agents.id, name: agents.name })
      .from(agents)
      .where(eq(agents.id, execution.agentId))
      .limit(1);
    return { row: row!, agent: agent!, attempts: execution.attempts, stored };
  });
  await publishStoredEvents(deps.events, decided.stored);
  await redeliver(deps.queue, { executionId, orgId: ctx.orgId, attempts: decided.attempts });
  return { execution_id: executionId, status: 'pending', approval: toApproval(decided.row, decided.agent) };
}

/** A new delivery of an execution that went back to `pending` (ADR 0004: a fresh job id). */
export async function redeliver(
  queue: ExecutionQueue,
  p: { executionId: string; orgId: string; attempts: number },
): Promise<void> {
  await queue.enqueue(
    'executions',
    { execution_id: p.executionId, org_id: p.orgId },
    { jobId: executionJobId(p.executionId, p.attempts) },
  );
}

/**
 * Applies the timeout action of approvals nobody decided in time (`timed_out`; the human node then
 * approves, rejects or fails as configured) and re-delivers their executions. Safe with many
 * sweepers: each approval is decided by compare-and-swap.
 */
export async function sweepApprovalTimeouts(db: Db, deps: DecideDeps, limit = 100): Promise<number> {
  const due = await asSystem(db, 'reaper: approvals past their deadline, every org', (tx) =>
    tx
      .select({
        id: executionApprovals.id,
        orgId: executionApprovals.orgId,
        executionId: executionApprovals.executionId,
      })
      .from(executionApprovals)
      .where(and(eq(executionApprovals.status, 'pending'), lt(executionApprovals.expiresAt, sql`now()`)))
      .limit(limit),
  );
  let done = 0;
  for (const a of due) {
    const result = await withOrg(db, a.orgId, async (tx) => {
      const [row] = await tx
        .update(executionApprovals)
        .set({ status: 'timed_out', decidedAt: new Date() })
        .where(and(eq(executionApprovals.id, a.id), eq(executionApprovals.status, 'pending')))
        .returning();
      if (!row) return undefined;
      const [execution] = await tx
        .update(executions)
        .set({ status: 'pending' })
        .where(and(eq(executions.id, a.executionId), eq(executions.status, 'waiting_approval')))
        .returning({ attempts: executions.attempts });
      if (!execution) return undefined;
      const stored = await appendExecutionEvents(tx, { orgId: a.orgId, executionId: a.executionId }, [
        {
          type: 'log',
          payload: {
            level: 'warn',
            message: `Nobody decided in time: the approval timed out (on timeout: ${row.timeoutAction})`,
            data: { approval_id: row.id, on_timeout: row.timeoutAction },
          },
        },
      ]);
      return { attempts: execution.attempts, stored };
    });
    if (!result) continue;
    await publishStoredEvents(deps.events, result.stored);
    await redeliver(deps.queue, { executionId: a.executionId, orgId: a.orgId, attempts: result.attempts });
    done++;
  }
  return done;
}
