import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecutionStatusValue } from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { agents, agentVersions, executionEvents, executionSteps, executions } from '@agentflow/db/schema';
import { compileDefinition, EngineError, type RunResult } from '@agentflow/engine';
import { MemorySaver } from '@langchain/langgraph';
import { and, eq, sql } from 'drizzle-orm';
import { buildRunServices, type RunServicesDeps } from '../agents/llm';
import { readSettings } from '../agents/present';
import { validOrThrow } from '../agents/publish';
import type { ServiceContext } from '../context';
import { createStepHooks } from './hooks';
import { createRecorder, type EventPublisher } from './recorder';

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
  /** The job's signal (worker shutdown). */
  signal?: AbortSignal | undefined;
}

export type RunExecutionOutcome =
  | { status: 'skipped'; reason: 'not_found' | 'not_claimable' }
  | { status: ExecutionStatusValue; released?: boolean };

const defaultLeaseMs = 30_000;
const defaultWorkerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

type Failure = { code: string; message: string };

/**
 * Runs one delivered execution. Claims the row by compare-and-swap (`pending -> running` with a
 * lease); a delivery that finds it claimed, finished or cancelled does nothing, so a duplicate
 * delivery can never run it twice. Postgres records everything: steps, logs, sequenced events and
 * the final totals. Returns what happened (the processor only logs it).
 */
export async function runExecution(
  deps: RunExecutionDeps,
  executionId: string,
  options: RunExecutionOptions = {},
): Promise<RunExecutionOutcome> {
  const orgId = await asSystem(deps.db, 'worker loads the org of a delivered execution', async (tx) => {
    const [row] = await tx
      .select({ orgId: executions.orgId })
      .from(executions)
      .where(eq(executions.id, executionId))
      .limit(1);
    return row?.orgId;
  });
  if (!orgId) return { status: 'skipped', reason: 'not_found' };

  const leaseMs = deps.leaseMs ?? defaultLeaseMs;
  const owner = deps.workerId ?? defaultWorkerId;
  const claimed = await withOrg(deps.db, orgId, async (tx) => {
    const [row] = await tx
      .update(executions)
      .set({
        status: 'running',
        leaseOwner: owner,
        leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
        startedAt: sql`coalesce(${executions.startedAt}, now())`,
        attempts: sql`${executions.attempts} + 1`,
      })
      .where(
        and(
          eq(executions.id, executionId),
          eq(executions.status, 'pending'),
          sql`${executions.cancelRequestedAt} is null`,
        ),
      )
      .returning();
    if (!row) return undefined;
    const [agent] = await tx
      .select({ settings: agents.settings })
      .from(agents)
      .where(eq(agents.id, row.agentId))
      .limit(1);
    const [version] = row.agentVersionId
      ? await tx
          .select({ definition: agentVersions.definition, version: agentVersions.version })
          .from(agentVersions)
          .where(eq(agentVersions.id, row.agentVersionId))
          .limit(1)
      : [];
    const [last] = await tx
      .select({
        seq: sql<number>`coalesce(max(${executionEvents.seq}), 0)`,
      })
      .from(executionEvents)
      .where(eq(executionEvents.executionId, executionId));
    const [steps] = await tx
      .select({ order: sql<number>`coalesce(max(${executionSteps.stepOrder}), 0)` })
      .from(executionSteps)
      .where(eq(executionSteps.executionId, executionId));
    return {
      row,
      settings: readSettings(agent?.settings ?? {}),
      version,
      lastSeq: Number(last?.seq ?? 0),
      lastStepOrder: Number(steps?.order ?? 0),
    };
  });
  if (!claimed) return { status: 'skipped', reason: 'not_claimable' };

  const { row } = claimed;
  const recorder = createRecorder({
    db: deps.db,
    orgId,
    executionId,
    lastSeq: claimed.lastSeq,
    events: deps.events,
    onPublishError: (err) => deps.logger?.warn({ err, executionId }, 'publishing an execution event failed'),
  });

  // The lease is ours only while we renew it; losing it (e.g. the reaper took the run over after a
  // long pause) stops the run here, and nothing more is written.
  const leaseLost = new AbortController();
  const heartbeat = setInterval(
    () => {
      withOrg(deps.db, orgId, (tx) =>
        tx
          .update(executions)
          .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
          .where(
            and(
              eq(executions.id, executionId),
              eq(executions.leaseOwner, owner),
              eq(executions.status, 'running'),
            ),
          )
          .returning({ id: executions.id }),
      ).then(
        (rows) => {
          if (rows.length === 0) leaseLost.abort(new Error('The execution lease was lost'));
        },
        (err) => deps.logger?.warn({ err, executionId }, 'renewing the execution lease failed'),
      );
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref?.();

  const timeoutMs = row.timeoutMs ?? claimed.settings.timeout_seconds * 1000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signals = [timeout, leaseLost.signal, ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  const hooks = createStepHooks(recorder, { orgId, executionId, lastStepOrder: claimed.lastStepOrder });

  try {
    await recorder.write(async (_tx, emit, log) => {
      emit('execution.started', {
        attempt: row.attempts,
        agent_id: row.agentId,
        agent_version_id: row.agentVersionId,
        version: claimed.version?.version ?? null,
        triggered_by: row.triggeredBy,
      });
      log('info', `Execution started (version ${claimed.version?.version ?? '?'}, attempt ${row.attempts})`);
    });

    let result: RunResult | undefined;
    let failure: Failure | undefined;
    try {
      if (!claimed.version)
        throw new EngineError('VERSION_MISSING', 'The pinned agent version no longer exists.');
      const definition = validOrThrow(claimed.version.definition);
      const ctx: ServiceContext = { db: deps.db, orgId, actor: { type: 'system', reason: 'execution' } };
      const agent = compileDefinition(definition, {
        services: await buildRunServices(ctx, deps.llm),
        hooks: hooks.hooks,
        checkpointer: new MemorySaver(),
      });
      const trigger = { type: row.triggeredBy ?? 'manual', data: row.triggerData };
      result = await agent.run(trigger, { threadId: executionId, signal });
    } catch (err) {
      failure = describeFailure(err, {
        timeout,
        timeoutMs,
        leaseLost: leaseLost.signal,
        job: options.signal,
      });
      if (!failure) {
        // Aborted by shutdown or a lost lease: the run is not ours to finish. The lease expires and
        // recovery (reaper) decides; nothing more is written by this process.
        await recorder.idle();
        deps.logger?.warn({ executionId }, 'execution interrupted before finishing; lease left to expire');
        return { status: 'running', released: true };
      }
      if (!(err instanceof EngineError) && !isAppValidation(err)) {
        deps.logger?.error({ err, executionId }, 'execution failed with an unexpected error');
      }
    }
    await recorder.idle();
    return await finish(deps, recorder, hooks, { executionId, owner, result, failure });
  } finally {
    clearInterval(heartbeat);
  }
}

function isAppValidation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'VALIDATION_ERROR';
}

function describeFailure(
  err: unknown,
  s: { timeout: AbortSignal; timeoutMs: number; leaseLost: AbortSignal; job: AbortSignal | undefined },
): Failure | undefined {
  if (s.timeout.aborted) {
    return {
      code: 'EXECUTION_TIMEOUT',
      message: `The execution exceeded its ${Math.round(s.timeoutMs / 1000)} s timeout.`,
    };
  }
  if (s.leaseLost.aborted || s.job?.aborted) return undefined;
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: unknown };
  if (e && e.code === 'VALIDATION_ERROR') {
    return { code: 'DEFINITION_INVALID', message: String(e.message) };
  }
  return { code: 'INTERNAL_ERROR', message: 'The execution failed with an internal error.' };
}

async function finish(
  deps: RunExecutionDeps,
  recorder: ReturnType<typeof createRecorder>,
  hooks: ReturnType<typeof createStepHooks>,
  r: { executionId: string; owner: string; result: RunResult | undefined; failure: Failure | undefined },
): Promise<RunExecutionOutcome> {
  const status: ExecutionStatusValue = r.failure
    ? 'failed'
    : r.result?.status === 'waiting_approval'
      ? 'waiting_approval'
      : 'completed';
  const totals = hooks.totals();
  const finished = await recorder.write(async (tx, emit, log) => {
    if (r.failure) await hooks.failOpen(tx, emit, r.failure);
    const terminal = status !== 'waiting_approval';
    const output = r.result?.status === 'completed' ? (r.result.output ?? null) : null;
    const [row] = await tx
      .update(executions)
      .set({
        status,
        output,
        errorCode: r.failure?.code ?? null,
        errorMessage: r.failure?.message ?? null,
        totalTokens: totals.tokens,
        totalCost: totals.cost.toFixed(6),
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
      .returning({ startedAt: executions.startedAt, completedAt: executions.completedAt });
    if (!row) return false;
    const duration_ms =
      row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : null;
    const summary = { total_tokens: totals.tokens, total_cost: totals.cost, duration_ms };
    if (status === 'completed') {
      log('info', 'Execution completed', summary);
      emit('execution.completed', { status, output, ...summary });
    } else if (status === 'failed') {
      log('error', `Execution failed: ${r.failure?.message}`, { code: r.failure?.code });
      emit('execution.failed', { status, error: r.failure, ...summary });
    } else {
      const pending = r.result?.status === 'waiting_approval' ? r.result.interrupts[0]?.value : null;
      log('info', 'Execution is waiting for approval');
      emit('execution.waiting_approval', { status, approval: pending ?? null, ...summary });
    }
    return true;
  });
  if (!finished) {
    deps.logger?.warn({ executionId: r.executionId }, 'execution lease lost before its result was stored');
    return { status: 'running', released: true };
  }
  return { status };
}
