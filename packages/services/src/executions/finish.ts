import type { ExecutionStatusValue } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { executions } from '@agentflow/db/schema';
import type { PendingInterrupt, RunResult } from '@agentflow/engine';
import { and, eq, sql } from 'drizzle-orm';
import { recordPause } from './approvals';
import type { StepHooksHandle } from './hooks';
import type { Recorder } from './recorder';
import type { RunExecutionDeps, RunExecutionOutcome } from './run';

export type Failure = { code: string; message: string; cancelled?: boolean };

/**
 * Stores the run's outcome: the status, output or error, totals, and the final event, in one
 * transaction guarded by our lease (a run whose lease was taken over writes nothing). A pause for
 * approval records the approval row and frees the lease: the worker slot is released.
 */
export async function finishExecution(
  deps: RunExecutionDeps,
  recorder: Recorder,
  hooks: StepHooksHandle,
  r: { executionId: string; owner: string; result: RunResult | undefined; failure: Failure | undefined },
): Promise<RunExecutionOutcome> {
  const status: ExecutionStatusValue = r.failure?.cancelled
    ? 'cancelled'
    : r.failure
      ? 'failed'
      : r.result?.status === 'waiting_approval'
        ? 'waiting_approval'
        : 'completed';
  const finished = await recorder.write(async (tx, emit, log, rows) => {
    // A step whose handler returned right as the run ended did complete (stored with the batch).
    if (status !== 'waiting_approval') hooks.commitStaged(rows, emit);
    if (r.failure) await hooks.failOpen(tx, emit, r.failure);
    const totals = hooks.totals();
    const terminal = status !== 'waiting_approval';
    const output = r.result?.status === 'completed' ? (r.result.output ?? null) : null;
    const [row] = await tx
      .update(executions)
      .set({
        status,
        output,
        errorCode: status === 'failed' ? (r.failure?.code ?? null) : null,
        errorMessage: status === 'failed' ? (r.failure?.message ?? null) : null,
        totalTokens: sql`${executions.totalTokens} + ${totals.tokens}`,
        totalCost: sql`${executions.totalCost} + ${totals.cost.toFixed(6)}::numeric`,
        leaseOwner: null,
        leaseExpiresAt: null,
        ...(terminal ? { completedAt: sql`now()` } : {}),
      })
      .where(
        and(
          eq(executions.id, r.executionId),
          eq(executions.leaseOwner, r.owner),
          eq(executions.status, 'running'),
        ),
      )
      .returning({
        orgId: executions.orgId,
        startedAt: executions.startedAt,
        completedAt: executions.completedAt,
        totalTokens: executions.totalTokens,
        totalCost: executions.totalCost,
      });
    if (!row) return false;
    const duration_ms =
      row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : null;
    const summary = { total_tokens: row.totalTokens, total_cost: Number(row.totalCost), duration_ms };
    if (status === 'completed') {
      log('info', 'Execution completed', summary);
      emit('execution.completed', { status, output, ...summary });
    } else if (status === 'cancelled') {
      log('warn', 'Execution cancelled', summary);
      emit('execution.cancelled', { status, ...summary });
    } else if (status === 'failed') {
      log('error', `Execution failed: ${r.failure?.message}`, { code: r.failure?.code });
      emit('execution.failed', {
        status,
        error: { code: r.failure?.code, message: r.failure?.message },
        ...summary,
      });
    } else {
      const pause = (r.result as { interrupts: PendingInterrupt[] }).interrupts[0];
      const approval = pause
        ? await recordPause(tx, {
            orgId: row.orgId,
            executionId: r.executionId,
            interrupt: pause,
            stepIdOf: hooks.openStepOf,
          })
        : null;
      log('info', 'Execution is waiting for approval');
      emit('execution.waiting_approval', { status, approval, ...summary });
    }
    return true;
  });
  if (!finished) {
    deps.logger?.warn({ executionId: r.executionId }, 'execution lease lost before its result was stored');
    return { status: 'running', released: true };
  }
  return { status };
}

/**
 * Hands a run back on shutdown: `running -> pending`, lease cleared, the claim not counted as a lost
 * attempt. The caller re-delivers it (`redeliver`) so another worker continues from the checkpoint.
 */
export async function releaseExecution(
  recorder: Recorder,
  r: { executionId: string; orgId: string; owner: string; attempts: number },
): Promise<RunExecutionOutcome> {
  const released = await recorder.write(async (tx: Db, _emit, log) => {
    const rows = await tx
      .update(executions)
      .set({ status: 'pending', leaseOwner: null, leaseExpiresAt: null })
      .where(
        and(
          eq(executions.id, r.executionId),
          eq(executions.leaseOwner, r.owner),
          eq(executions.status, 'running'),
        ),
      )
      .returning({ id: executions.id });
    if (rows.length) log('info', 'Worker shutting down: the execution goes back to the queue');
    return rows.length > 0;
  });
  if (!released) return { status: 'running', released: true };
  return { status: 'pending', released: true, redeliver: { orgId: r.orgId, attempts: r.attempts } };
}
