import type { Db } from '@agentflow/db';
import { executionSteps } from '@agentflow/db/schema';
import type { StepHooks } from '@agentflow/engine';
import { and, eq } from 'drizzle-orm';
import type { Emit, Recorder } from './recorder';

interface OpenStep {
  id: string;
  nodeId: string;
}

/**
 * Engine hooks that persist each step: a row `running` when it starts, `completed` / `failed` with
 * output, tokens, cost and duration when it ends, each with its event (and a log line on failure).
 * A retried attempt gets its own row (attempt + 1). Hooks are awaited, so the row exists before the
 * handler runs and a failing write fails the run.
 */
export function createStepHooks(
  recorder: Recorder,
  ids: { orgId: string; executionId: string; lastStepOrder: number },
) {
  let order = ids.lastStepOrder;
  const open = new Map<string, OpenStep>();
  let tokens = 0;
  let cost = 0;

  const insertStep = async (
    tx: Db,
    e: { node_id: string; type: string; attempt: number },
    input: unknown,
  ): Promise<OpenStep> => {
    const [row] = await tx
      .insert(executionSteps)
      .values({
        orgId: ids.orgId,
        executionId: ids.executionId,
        nodeKey: e.node_id,
        nodeType: e.type,
        stepOrder: ++order,
        attempt: e.attempt,
        status: 'running',
        inputData: input ?? null,
        startedAt: new Date(),
      })
      .returning({ id: executionSteps.id });
    const step = { id: row!.id, nodeId: e.node_id };
    open.set(e.node_id, step);
    return step;
  };

  const stepWhere = (id: string) => and(eq(executionSteps.id, id), eq(executionSteps.orgId, ids.orgId));
  const info = (e: { node_id: string; type: string; subtype: string; label: string; attempt: number }) => ({
    node_id: e.node_id,
    type: e.type,
    subtype: e.subtype,
    label: e.label,
    attempt: e.attempt,
  });

  const hooks: StepHooks = {
    onStepStart: (e) =>
      recorder.write(async (tx, emit) => {
        const step = await insertStep(tx, e, e.input);
        emit('step.started', { step_id: step.id, ...info(e) });
      }),
    onStepComplete: (e) =>
      recorder.write(async (tx, emit) => {
        const step = open.get(e.node_id) ?? (await insertStep(tx, e, e.input));
        open.delete(e.node_id);
        const stepTokens = e.tokens ? e.tokens.input + e.tokens.output : 0;
        const stepCost = e.cost ?? 0;
        tokens += stepTokens;
        cost += stepCost;
        const duration = Math.round(e.duration_ms);
        await tx
          .update(executionSteps)
          .set({
            status: 'completed',
            outputData: e.output ?? null,
            tokensUsed: stepTokens,
            cost: stepCost.toFixed(6),
            durationMs: duration,
            completedAt: new Date(),
          })
          .where(stepWhere(step.id));
        emit('step.completed', {
          step_id: step.id,
          ...info(e),
          output: e.output ?? null,
          ...(e.branch ? { branch: e.branch } : {}),
          tokens: e.tokens ?? null,
          cost: stepCost,
          cost_known: e.cost_known ?? true,
          duration_ms: duration,
        });
      }),
    onStepFail: (e) =>
      recorder.write(async (tx, emit, log) => {
        // Resolving the config fails before onStepStart: the step starts (and ends) here.
        const step = open.get(e.node_id) ?? (await insertStep(tx, e, e.input));
        open.delete(e.node_id);
        const duration = Math.round(e.duration_ms);
        await tx
          .update(executionSteps)
          .set({
            status: 'failed',
            errorMessage: e.error.message,
            durationMs: duration,
            completedAt: new Date(),
          })
          .where(stepWhere(step.id));
        emit('step.failed', {
          step_id: step.id,
          ...info(e),
          error: { code: e.code, message: e.error.message },
          retryable: e.retryable,
          will_retry: e.will_retry,
          duration_ms: duration,
        });
        log(
          e.will_retry ? 'warn' : 'error',
          `Step ${e.node_id} failed${e.will_retry ? ' (will retry)' : ''}: ${e.error.message}`,
          { code: e.code, attempt: e.attempt },
          step.id,
        );
      }),
    onEvent: (e) => {
      // Token streams and tool calls are live-only today (a later WebSocket stream); approval
      // requests are part of the durable history.
      if (e.type !== 'step.waiting_approval') return;
      recorder
        .write(async (tx, emit) => {
          const step = open.get(e.node_id);
          if (step) {
            await tx.update(executionSteps).set({ status: 'pending' }).where(stepWhere(step.id));
          }
          emit('step.waiting_approval', { ...(e as Record<string, unknown>), step_id: step?.id ?? null });
        })
        .catch(() => {});
    },
  };

  return {
    hooks,
    totals: () => ({ tokens, cost }),
    /** Steps cut off by a timeout or another step's failure end as failed with the run's error. */
    async failOpen(tx: Db, emit: Emit, error: { code: string; message: string }) {
      for (const step of open.values()) {
        await tx
          .update(executionSteps)
          .set({ status: 'failed', errorMessage: error.message, completedAt: new Date() })
          .where(and(stepWhere(step.id), eq(executionSteps.status, 'running')));
        emit('step.failed', { step_id: step.id, node_id: step.nodeId, error, will_retry: false });
      }
      open.clear();
    },
  };
}
