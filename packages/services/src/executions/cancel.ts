import { AppError, type CancelExecutionResult } from '@agentflow/contracts';
import { executionApprovals, executionSteps, executions } from '@agentflow/db/schema';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { appendExecutionEvents, publishStoredEvents } from './append';
import type { EventPublisher } from './recorder';

/** Bus channel of run-control messages (cancel) to whichever process holds an execution's lease. */
export const EXECUTION_CONTROL_CHANNEL = 'executions:control';

export type ControlMessage = { type: 'cancel'; execution_id: string };

const finished = ['completed', 'failed', 'cancelled', 'timed_out'];

/**
 * Cancels an execution. One that no process is running (pending, waiting for approval) ends
 * `cancelled` right here. A running one gets `cancel_requested_at` and a control message: the process
 * holding its lease aborts the running step (AbortSignal) and stores `cancelled` within about a
 * second; its heartbeat re-reads the column in case the message was lost. Cancelling twice is fine.
 */
export async function cancelExecution(
  ctx: ServiceContext,
  executionId: string,
  deps: { events?: EventPublisher | undefined },
): Promise<CancelExecutionResult> {
  const outcome = await inOrg(ctx, async (tx) => {
    const [row] = await tx
      .select()
      .from(executions)
      .where(and(eq(executions.id, executionId), eq(executions.orgId, ctx.orgId)))
      .for('update')
      .limit(1);
    if (!row) throw new AppError('EXECUTION_NOT_FOUND', 'Execution not found.');
    if (row.status === 'cancelled') {
      return { result: { execution_id: row.id, status: row.status, cancel_requested: false }, stored: [] };
    }
    if (finished.includes(row.status)) {
      throw new AppError('EXECUTION_NOT_CANCELLABLE', `The execution already ended (${row.status}).`, {
        status: row.status,
      });
    }
    await recordAudit(tx, ctx, {
      action: 'execution.cancelled',
      resourceType: 'execution',
      resourceId: row.id,
      details: { status: row.status },
    });
    if (row.status === 'running') {
      await tx
        .update(executions)
        .set({ cancelRequestedAt: sql`coalesce(${executions.cancelRequestedAt}, now())` })
        .where(eq(executions.id, row.id));
      return { result: { execution_id: row.id, status: row.status, cancel_requested: true }, stored: [] };
    }
    // pending or waiting_approval: nobody is running it, so it ends here.
    await tx
      .update(executions)
      .set({
        status: 'cancelled',
        cancelRequestedAt: sql`now()`,
        completedAt: sql`now()`,
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .where(eq(executions.id, row.id));
    await tx
      .update(executionApprovals)
      .set({ status: 'cancelled', decidedAt: new Date() })
      .where(and(eq(executionApprovals.executionId, row.id), eq(executionApprovals.status, 'pending')));
    await tx
      .update(executionSteps)
      .set({ status: 'skipped', completedAt: new Date() })
      .where(
        and(eq(executionSteps.executionId, row.id), inArray(executionSteps.status, ['pending', 'running'])),
      );
    const stored = await appendExecutionEvents(tx, { orgId: ctx.orgId, executionId: row.id }, [
      { type: 'log', payload: { level: 'warn', message: 'Execution cancelled' } },
      {
        type: 'execution.cancelled',
        payload: { status: 'cancelled', total_tokens: row.totalTokens, total_cost: Number(row.totalCost) },
      },
    ]);
    return { result: { execution_id: row.id, status: 'cancelled', cancel_requested: false }, stored };
  });
  await publishStoredEvents(deps.events, outcome.stored);
  if (outcome.result.cancel_requested && deps.events) {
    const message: ControlMessage = { type: 'cancel', execution_id: executionId };
    // Best effort: the lease heartbeat picks the request up from the row if this is lost.
    await deps.events.publish(EXECUTION_CONTROL_CHANNEL, JSON.stringify(message)).catch(() => {});
  }
  return outcome.result;
}
