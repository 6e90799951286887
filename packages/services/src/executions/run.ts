import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecutionStatusValue } from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { executionSteps, executions } from '@agentflow/db/schema';
import {
  type CompiledAgent,
  compileDefinition,
  createPostgresCheckpointer,
  EngineError,
  type RunResult,
} from '@agentflow/engine';
import { and, eq } from 'drizzle-orm';
import { buildRunServices, type RunServicesDeps } from '../agents/llm';
import { validOrThrow } from '../agents/publish';
import type { ServiceContext } from '../context';
import { findApprovalForInterrupt } from './approvals';
import { type Claimed, claimExecution, renewLease } from './claim';
import { type Failure, finishExecution, releaseExecution } from './finish';
import { createStepHooks, type StepHooksHandle } from './hooks';
import { createRecorder, type EventPublisher, type Recorder } from './recorder';

export interface RunExecutionDeps {
  db: Db;
  /** Keyring and SSRF policies for the run's LLM router, credentials and HTTP node. */
  llm: RunServicesDeps;
  /** Live delivery of the stored events (Redis pub/sub or the in-process bus). */
  events?: EventPublisher | undefined;
  /** Identifies this process in `lease_owner`. */
  workerId?: string | undefined;
  /** Lease length; renewed every third of it while the run is alive. Default 30 s. */
  leaseMs?: number | undefined;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } | undefined;
}

export interface RunExecutionOptions {
  /** The job's signal: aborted when this process shuts down (the run is released, not failed). */
  signal?: AbortSignal | undefined;
  /** Aborted when a cancel request for this execution reaches this process (the control channel). */
  cancelSignal?: AbortSignal | undefined;
  /** The org the job says the execution belongs to; looked up when absent or wrong. */
  orgId?: string | undefined;
}

export type RunExecutionOutcome =
  | { status: 'skipped'; reason: 'not_found' | 'not_claimable' }
  | {
      status: ExecutionStatusValue;
      /** This process let go of the run without finishing it. */
      released?: boolean;
      /** Set when the run went back to `pending` and needs a new delivery (after this many claims). */
      redeliver?: { orgId: string; attempts: number };
    };

const defaultLeaseMs = 30_000;
export const defaultWorkerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Runs one delivered execution: claims it (compare-and-swap), then starts it, or, when its LangGraph
 * thread already has a checkpoint, continues it from there (after a crash) or resumes it with the
 * decision of the approval it waits for. Postgres records everything: steps (completed in the same
 * transaction as their checkpoint writes), logs, sequenced events and the final totals.
 */
export async function runExecution(
  deps: RunExecutionDeps,
  executionId: string,
  options: RunExecutionOptions = {},
): Promise<RunExecutionOutcome> {
  const lease = { owner: deps.workerId ?? defaultWorkerId, ms: deps.leaseMs ?? defaultLeaseMs };
  // The job's org saves a lookup; the claim is org-scoped (RLS), so a wrong hint claims nothing and
  // the row's own org is looked up and tried.
  let claimed = options.orgId
    ? await claimExecution(deps.db, { orgId: options.orgId, executionId }, lease)
    : undefined;
  if (!claimed) {
    const orgId = await orgOfExecution(deps.db, executionId);
    if (!orgId) return { status: 'skipped', reason: 'not_found' };
    if (orgId !== options.orgId) claimed = await claimExecution(deps.db, { orgId, executionId }, lease);
    if (!claimed) return { status: 'skipped', reason: 'not_claimable' };
  }
  const orgId = claimed.row.orgId;
  const ids = { orgId, executionId };

  const recorder = createRecorder({
    db: deps.db,
    orgId,
    executionId,
    lastSeq: claimed.lastSeq,
    events: deps.events,
    onPublishError: (err) => deps.logger?.warn({ err, executionId }, 'publishing an execution event failed'),
  });

  const leaseLost = new AbortController();
  const cancelled = new AbortController();
  const onCancel = () => cancelled.abort(new Error('The execution was cancelled'));
  if (options.cancelSignal?.aborted) onCancel();
  options.cancelSignal?.addEventListener('abort', onCancel, { once: true });
  // The lease is ours only while we renew it; losing it stops the run here and nothing more is
  // written. The renewal also notices a cancel request whose bus message this process missed.
  const heartbeat = setInterval(
    () => {
      renewLease(deps.db, ids, lease).then(
        (state) => {
          if (state === 'lost') leaseLost.abort(new Error('The execution lease was lost'));
          if (state === 'cancel') onCancel();
        },
        (err) => deps.logger?.warn({ err, executionId }, 'renewing the execution lease failed'),
      );
    },
    Math.max(50, Math.floor(lease.ms / 3)),
  );
  heartbeat.unref?.();

  const timeoutMs = claimed.row.timeoutMs ?? claimed.settings.timeout_seconds * 1000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([
    timeout,
    leaseLost.signal,
    cancelled.signal,
    ...(options.signal ? [options.signal] : []),
  ]);
  const hooks = createStepHooks(recorder, { orgId, executionId, lastStepOrder: claimed.lastStepOrder });

  try {
    let result: RunResult | undefined;
    let failure: Failure | undefined;
    try {
      // Not awaited: the announce joins the run's first batch (one transaction less per run). The
      // recorder keeps call order, and a step with an outside effect waits for it anyway.
      const announced = announce(recorder, claimed);
      announced.catch(() => {});
      result = await drive(deps, claimed, { recorder, hooks, signal });
      await announced;
    } catch (err) {
      await hooks.flushTokens();
      if (
        leaseLost.signal.aborted ||
        (options.signal?.aborted && !timeout.aborted && !cancelled.signal.aborted)
      ) {
        // Shutdown or a lost lease: the run is not ours to finish. On shutdown we hand it back
        // (pending, new delivery); a lost lease belongs to whoever holds it now.
        await recorder.idle();
        if (leaseLost.signal.aborted) {
          deps.logger?.warn({ executionId }, 'execution lease lost; the run is left to its new owner');
          return { status: 'running', released: true };
        }
        return await releaseExecution(recorder, {
          executionId,
          orgId,
          owner: lease.owner,
          attempts: claimed.row.attempts,
        });
      }
      failure = describeFailure(err, { timeout, timeoutMs, cancelled: cancelled.signal });
      if (failure.code === 'INTERNAL_ERROR') {
        deps.logger?.error({ err, executionId }, 'execution failed with an unexpected error');
      }
    }
    await hooks.flushTokens();
    await recorder.idle();
    return await finishExecution(deps, recorder, hooks, { executionId, owner: lease.owner, result, failure });
  } finally {
    clearInterval(heartbeat);
    hooks.close();
    options.cancelSignal?.removeEventListener('abort', onCancel);
  }
}

function orgOfExecution(db: Db, executionId: string): Promise<string | undefined> {
  return asSystem(db, 'worker loads the org of a delivered execution', async (tx) => {
    const [row] = await tx
      .select({ orgId: executions.orgId })
      .from(executions)
      .where(eq(executions.id, executionId))
      .limit(1);
    return row?.orgId;
  });
}

function announce(recorder: Recorder, claimed: Claimed): Promise<void> {
  const { row } = claimed;
  const version = claimed.version?.version ?? null;
  if (row.attempts === 1) {
    return recorder.stage((_rows, emit, log) => {
      emit('execution.started', {
        attempt: row.attempts,
        agent_id: row.agentId,
        agent_version_id: row.agentVersionId,
        version,
        triggered_by: row.triggeredBy,
      });
      log('info', `Execution started (version ${version ?? '?'})`);
    });
  }
  return recorder.write(async (tx, emit, log) => {
    // Steps the previous owner of the lease left running never finished: they run again.
    const orphans = await tx
      .update(executionSteps)
      .set({
        status: 'failed',
        errorMessage: 'Interrupted: the worker running this step was lost',
        completedAt: new Date(),
      })
      .where(and(eq(executionSteps.executionId, row.id), eq(executionSteps.status, 'running')))
      .returning({ id: executionSteps.id, nodeKey: executionSteps.nodeKey });
    for (const o of orphans) {
      emit('step.failed', {
        step_id: o.id,
        node_id: o.nodeKey,
        error: { code: 'WORKER_LOST', message: 'Interrupted: the worker running this step was lost' },
        will_retry: true,
      });
    }
    emit('execution.resumed', { attempt: row.attempts, version });
    log('info', `Execution resumed (attempt ${row.attempts})`);
  });
}

/** Starts the graph, continues it from its checkpoint, or resumes it with an approval's decision. */
async function drive(
  deps: RunExecutionDeps,
  claimed: Claimed,
  run: { recorder: Recorder; hooks: StepHooksHandle; signal: AbortSignal },
): Promise<RunResult> {
  const { row } = claimed;
  if (!claimed.version)
    throw new EngineError('VERSION_MISSING', 'The pinned agent version no longer exists.');
  const definition = validOrThrow(claimed.version.definition);
  const ctx: ServiceContext = {
    db: deps.db,
    orgId: row.orgId,
    actor: { type: 'system', reason: 'execution' },
  };
  const checkpointer = createPostgresCheckpointer(deps.db, {
    orgId: row.orgId,
    linkExecution: true,
    // Checkpoint rows go through the recorder: ordered with the run's events, merged with the rest of
    // their batch into one statement, and a step's completion is stored with its graph writes.
    store: {
      put: (checkpoint) => run.recorder.stage((rows) => rows.checkpoint(checkpoint)),
      putWrites: (writes, values) =>
        run.recorder.stage((rows, emit) => {
          rows.checkpointWrites(writes);
          run.hooks.commitCompleted(rows, emit, values);
        }),
    },
    // Only a claimed run writes checkpoints: on the first claim the thread has none to read.
    ...(row.attempts === 1 ? { newThreadId: row.id } : {}),
  });
  const agent: CompiledAgent = compileDefinition(definition, {
    services: await buildRunServices(ctx, deps.llm),
    hooks: run.hooks.hooks,
    checkpointer,
    // Each superstep's writes are committed before the next one starts (one batch, one statement,
    // per step). 'async' was measured again with merged batches (ADR 0008): 2.3-2.5 ms per step
    // instead of 5.5, but no more webhook throughput, and events waited 3-6x longer for the stream,
    // as the engine's microtasks hold up the transaction's round trips on the one thread.
    durability: 'sync',
  });
  const opts = { threadId: row.id, signal: run.signal };
  // Only a claimed run writes checkpoints: on the first claim there is no thread to look at.
  if (row.attempts === 1) {
    return agent.run({ type: row.triggeredBy ?? 'manual', data: row.triggerData }, opts);
  }
  const thread = await agent.inspect(row.id);
  if (!thread.exists) {
    return agent.run({ type: row.triggeredBy ?? 'manual', data: row.triggerData }, opts);
  }
  const pause = thread.interrupts[0];
  if (!pause) return agent.continue(opts);
  const approval = await withOrg(deps.db, row.orgId, (tx) =>
    findApprovalForInterrupt(tx, { executionId: row.id, interruptId: pause.id ?? null }),
  );
  if (!approval || approval.status === 'pending' || approval.status === 'cancelled') {
    // Paused, and nobody has decided yet (or the pause was never recorded): record it again.
    return {
      status: 'waiting_approval',
      threadId: row.id,
      interrupts: thread.interrupts,
      state: undefined as never,
    };
  }
  run.hooks.resumeAt(approval.nodeKey, approval.stepId);
  return agent.resume(
    {
      decision:
        approval.status === 'timed_out' ? 'timeout' : approval.status === 'approved' ? 'approve' : 'reject',
      ...(approval.comment ? { comment: approval.comment } : {}),
      ...(approval.decidedBy ? { by: approval.decidedBy } : {}),
    },
    opts,
  );
}

function describeFailure(
  err: unknown,
  s: { timeout: AbortSignal; timeoutMs: number; cancelled: AbortSignal },
): Failure {
  if (s.cancelled.aborted)
    return { code: 'EXECUTION_CANCELLED', message: 'The execution was cancelled.', cancelled: true };
  if (s.timeout.aborted) {
    return {
      code: 'EXECUTION_TIMEOUT',
      message: `The execution exceeded its ${Math.round(s.timeoutMs / 1000)} s timeout.`,
    };
  }
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: unknown };
  if (e && e.code === 'VALIDATION_ERROR') return { code: 'DEFINITION_INVALID', message: String(e.message) };
  return { code: 'INTERNAL_ERROR', message: 'The execution failed with an internal error.' };
}
