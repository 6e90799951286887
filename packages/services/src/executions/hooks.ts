import { randomUUID } from 'node:crypto';
import type { Db } from '@agentflow/db';
import { executionSteps } from '@agentflow/db/schema';
import type { StepCompleteEvent, StepHooks } from '@agentflow/engine';
import { and, eq } from 'drizzle-orm';
import type { BatchRows } from './batch';
import type { Emit, Recorder } from './recorder';
import { createTokenBuffer } from './tokens';

interface Staged {
  e: StepCompleteEvent;
  /** The step's row, captured when its handler returned (a later iteration may reopen the node). */
  step: OpenStep | undefined;
}

interface OpenStep {
  id: string;
  nodeId: string;
  /** The paused human step's row, which goes on (no new row). */
  resumed?: boolean;
  order?: number;
  input: unknown;
  /** Set when the transaction that stored the step's start failed. */
  startFailed?: unknown;
}

export interface StepHooksOptions {
  orgId: string;
  executionId: string;
  lastStepOrder: number;
  /** A human step paused earlier (row `pending`): when its node starts again, that row goes on. */
  resumeStep?: { nodeId: string; stepId: string } | undefined;
  /** How often streamed tokens are stored and published, coalesced (default 50 ms). */
  tokenFlushMs?: number;
}

/**
 * Engine hooks that persist each step. A row `running` when it starts; when the handler returns, the
 * completion is only staged, and written by `commitCompleted` in the batch (the same statement) that
 * stores the step's graph writes. So a step is recorded `completed` exactly when a resumed run
 * will not run it again. Failures are written at once (a failed step runs again by design). Events a
 * step emits while running (tokens coalesced, tool calls, retries, approval requests) are stored as
 * sequenced events too, so a client replaying with `after=` misses nothing.
 */
export function createStepHooks(recorder: Recorder, ids: StepHooksOptions) {
  let order = ids.lastStepOrder;
  const open = new Map<string, OpenStep>();
  // Per node, in completion order: with writes stored in the background, a loop's next iteration of
  // a node can complete before the previous one's writes are committed.
  const staged = new Map<string, Staged[]>();
  let resumeStep = ids.resumeStep;
  let tokens = 0;
  let cost = 0;

  /** Registers a step as open (sync: its id is ours, not the database's) and says how to store it. */
  const openStep = (e: { node_id: string; type: string; attempt: number }, input: unknown): OpenStep => {
    if (resumeStep?.nodeId === e.node_id) {
      const step: OpenStep = { id: resumeStep.stepId, nodeId: e.node_id, resumed: true, input };
      resumeStep = undefined;
      open.set(e.node_id, step);
      return step;
    }
    const step: OpenStep = { id: randomUUID(), nodeId: e.node_id, order: ++order, input };
    open.set(e.node_id, step);
    return step;
  };

  /** Stages a new step's start in the batch (merged with the batch's other rows into one statement). */
  const stageStarted = (rows: BatchRows, step: OpenStep, e: { type: string; attempt: number }) => {
    rows.startStep({
      id: step.id,
      nodeKey: step.nodeId,
      nodeType: e.type,
      stepOrder: step.order ?? 0,
      attempt: e.attempt,
      input: step.input,
      startedAt: new Date().toISOString(),
    });
  };

  const stepWhere = (id: string) => and(eq(executionSteps.id, id), eq(executionSteps.orgId, ids.orgId));
  const info = (e: { node_id: string; type: string; subtype: string; label: string; attempt: number }) => ({
    node_id: e.node_id,
    type: e.type,
    subtype: e.subtype,
    label: e.label,
    attempt: e.attempt,
  });

  const stageCompleted = (rows: BatchRows, emit: Emit, { e, step: known }: Staged) => {
    let step = known;
    if (!step) {
      // A step that never got its start stored (it failed resolving its config): it starts here.
      step = openStep(e, e.input);
      stageStarted(rows, step, e);
      open.delete(e.node_id);
    }
    if (step.startFailed) throw step.startFailed;
    const stepTokens = e.tokens ? e.tokens.input + e.tokens.output : 0;
    const stepCost = e.cost ?? 0;
    tokens += stepTokens;
    cost += stepCost;
    const duration = Math.round(e.duration_ms);
    // The batch statement fails (and its transaction with it) if this step's start was never stored.
    rows.completeStep({
      id: step.id,
      output: e.output,
      tokens: stepTokens,
      cost: stepCost.toFixed(6),
      durationMs: duration,
      completedAt: new Date().toISOString(),
    });
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
  };

  const tokenBuffer = createTokenBuffer(
    (chunks) =>
      recorder.stage((_rows, emit) => {
        for (const c of chunks)
          emit('llm.token', { node_id: c.nodeId, step_id: c.stepId, token: c.text, count: c.count });
      }),
    ids.tokenFlushMs ?? 50,
  );

  const hooks: StepHooks = {
    // The start joins the next transaction (for a fast node, the same one as its completion and
    // checkpoint). A replayable node (no outside effect) does not wait for it: the run's writes are
    // stored in the background (durability async). Any other node waits until everything before it,
    // its own start included, is committed: its effect never happens ahead of the record of what
    // led to it, so after a crash at most the step in flight runs again, as with sync durability.
    onStepStart: async (e) => {
      const step = openStep(e, e.input);
      const stored = step.resumed
        ? // The paused human step's row goes on.
          recorder.write(async (tx, emit) => {
            await tx.update(executionSteps).set({ status: 'running' }).where(stepWhere(step.id));
            emit('step.started', { step_id: step.id, ...info(e) });
          })
        : recorder.stage((rows, emit) => {
            stageStarted(rows, step, e);
            emit('step.started', { step_id: step.id, ...info(e) });
          });
      stored.catch((error: unknown) => {
        step.startFailed = error;
      });
      if (e.replayable) {
        await recorder.throttle();
        return;
      }
      await recorder.idle();
      if (step.startFailed) throw step.startFailed;
    },
    onStepComplete: async (e) => {
      await tokenBuffer.flush();
      const step = open.get(e.node_id);
      if (step?.startFailed) throw step.startFailed;
      open.delete(e.node_id);
      const list = staged.get(e.node_id);
      if (list) list.push({ e, step });
      else staged.set(e.node_id, [{ e, step }]);
    },
    onStepFail: async (e) => {
      await tokenBuffer.flush();
      await recorder.write(async (tx, emit, log, rows) => {
        // Resolving the config fails before onStepStart: the step starts (and ends) here.
        let step = open.get(e.node_id);
        if (!step) {
          step = openStep(e, e.input);
          stageStarted(rows, step, e);
          await rows.flush(tx);
        }
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
      });
    },
    onEvent: (e) => {
      const stepId = open.get(e.node_id)?.id ?? null;
      if (e.type === 'llm.token') {
        tokenBuffer.push(e.node_id, stepId, e.token);
        return;
      }
      // Anything after tokens must come after them in the stream.
      void tokenBuffer.flush();
      const { type, ...payload } = e as { type: string } & Record<string, unknown>;
      if (type === 'step.waiting_approval') {
        recorder
          .write(async (tx, emit) => {
            if (stepId) await tx.update(executionSteps).set({ status: 'pending' }).where(stepWhere(stepId));
            emit('step.waiting_approval', { ...payload, step_id: stepId });
          })
          .catch(() => {});
        return;
      }
      recorder
        .stage((_rows, emit, log) => {
          if (type === 'log') {
            const l = e as { level: 'debug' | 'info' | 'warn'; message: string; data?: unknown };
            log(
              l.level,
              l.message,
              { node_id: e.node_id, ...(l.data === undefined ? {} : { data: l.data }) },
              stepId,
            );
          } else if (
            type === 'llm.restart' ||
            type === 'agent.iteration' ||
            type === 'agent.tool_call' ||
            type === 'step.retry'
          ) {
            emit(type, { ...payload, step_id: stepId });
          }
        })
        .catch(() => {});
    },
  };

  return {
    hooks,
    totals: () => ({ tokens, cost }),
    /** Continue the paused human step `stepId` when `nodeId` starts again (resume after approval). */
    resumeAt(nodeId: string, stepId: string | null) {
      resumeStep = stepId ? { nodeId, stepId } : undefined;
    },
    /** The step that is waiting for a person (its row stays `pending`), if any. */
    openStepOf: (nodeId: string) => open.get(nodeId)?.id ?? null,
    /**
     * In the batch that stores a task's graph writes: the nodes whose writes they are (their `steps`
     * channel write) are recorded completed in the same statement.
     */
    commitCompleted(rows: BatchRows, emit: Emit, writes: Array<[string, unknown]>) {
      for (const [channel, value] of writes) {
        if (channel !== 'steps' || !Array.isArray(value)) continue;
        for (const nodeId of value as string[]) {
          const list = staged.get(nodeId);
          const next = list?.shift();
          if (!next) continue;
          if (list?.length === 0) staged.delete(nodeId);
          stageCompleted(rows, emit, next);
        }
      }
    },
    /** Steps whose handler returned but whose writes were never stored (the run ended right then). */
    commitStaged(rows: BatchRows, emit: Emit) {
      for (const list of staged.values()) for (const next of list) stageCompleted(rows, emit, next);
      staged.clear();
    },
    flushTokens: () => tokenBuffer.flush(),
    close: () => tokenBuffer.close(),
    /** Steps cut off by a timeout, cancel or another step's failure end as failed with the run's error. */
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

export type StepHooksHandle = ReturnType<typeof createStepHooks>;
