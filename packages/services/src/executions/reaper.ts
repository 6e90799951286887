import { executionJobId } from '@agentflow/contracts';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { executionSteps, executions } from '@agentflow/db/schema';
import { and, eq, lt, sql } from 'drizzle-orm';
import { appendExecutionEvents, type PendingEvent, publishStoredEvents } from './append';
import { redeliver } from './approvals';
import type { EventPublisher } from './recorder';
import type { ExecutionQueue } from './start';

export interface ReaperDeps {
  db: Db;
  queue: ExecutionQueue;
  events?: EventPublisher | undefined;
  /** Takeovers of a run whose worker was lost before it fails with WORKER_LOST (default 3). */
  maxRecoveries?: number | undefined;
  logger?: { warn(obj: object, msg: string): void } | undefined;
}

export interface SweepResult {
  resumed: number;
  failed: number;
  cancelled: number;
}

const lostMessage = 'The worker running this execution was lost';

/**
 * Finds running executions whose lease expired (their worker died or hung) and takes them over:
 * back to `pending` and re-delivered, so a worker continues them from the last checkpoint, up to
 * `maxRecoveries` times; then `failed` with WORKER_LOST. A run with a cancel request ends
 * `cancelled`. Every takeover is a compare-and-swap on the expired lease, so many reapers (one per
 * worker) never take one run twice.
 */
export async function sweepExpiredLeases(deps: ReaperDeps, limit = 100): Promise<SweepResult> {
  const maxRecoveries = deps.maxRecoveries ?? 3;
  const result: SweepResult = { resumed: 0, failed: 0, cancelled: 0 };
  const expired = await asSystem(deps.db, 'reaper: expired execution leases, every org', (tx) =>
    tx
      .select({ id: executions.id, orgId: executions.orgId })
      .from(executions)
      .where(and(eq(executions.status, 'running'), lt(executions.leaseExpiresAt, sql`now()`)))
      .limit(limit),
  );
  for (const e of expired) {
    const taken = await withOrg(deps.db, e.orgId, async (tx) => {
      const [row] = await tx
        .select()
        .from(executions)
        .where(
          and(
            eq(executions.id, e.id),
            eq(executions.status, 'running'),
            lt(executions.leaseExpiresAt, sql`now()`),
          ),
        )
        .for('update', { skipLocked: true })
        .limit(1);
      if (!row) return undefined;
      const recoveries = Number((row.metadata as { recoveries?: number }).recoveries ?? 0);
      const events: PendingEvent[] = [];
      let outcome: 'resumed' | 'failed' | 'cancelled';
      if (row.cancelRequestedAt || recoveries >= maxRecoveries) {
        const cancelled = Boolean(row.cancelRequestedAt);
        outcome = cancelled ? 'cancelled' : 'failed';
        const error = { code: 'WORKER_LOST', message: `${lostMessage} ${recoveries + 1} times; giving up.` };
        const open = await tx
          .update(executionSteps)
          .set({ status: 'failed', errorMessage: lostMessage, completedAt: new Date() })
          .where(and(eq(executionSteps.executionId, row.id), eq(executionSteps.status, 'running')))
          .returning({ id: executionSteps.id, nodeKey: executionSteps.nodeKey });
        for (const s of open) {
          events.push({
            type: 'step.failed',
            payload: {
              step_id: s.id,
              node_id: s.nodeKey,
              error: { code: 'WORKER_LOST', message: lostMessage },
              will_retry: false,
            },
          });
        }
        await tx
          .update(executions)
          .set({
            status: outcome,
            errorCode: cancelled ? null : error.code,
            errorMessage: cancelled ? null : error.message,
            leaseOwner: null,
            leaseExpiresAt: null,
            completedAt: sql`now()`,
          })
          .where(eq(executions.id, row.id));
        const summary = { total_tokens: row.totalTokens, total_cost: Number(row.totalCost) };
        if (cancelled) {
          events.push({
            type: 'log',
            payload: { level: 'warn', message: 'Execution cancelled (its worker was lost)' },
          });
          events.push({ type: 'execution.cancelled', payload: { status: 'cancelled', ...summary } });
        } else {
          events.push({
            type: 'log',
            payload: { level: 'error', message: `Execution failed: ${error.message}` },
          });
          events.push({ type: 'execution.failed', payload: { status: 'failed', error, ...summary } });
        }
      } else {
        outcome = 'resumed';
        await tx
          .update(executions)
          .set({
            status: 'pending',
            leaseOwner: null,
            leaseExpiresAt: null,
            metadata: sql`${executions.metadata} || jsonb_build_object('recoveries', ${recoveries + 1}::int)`,
          })
          .where(eq(executions.id, row.id));
        events.push({
          type: 'log',
          payload: {
            level: 'warn',
            message: `${lostMessage}; resuming from the last checkpoint (recovery ${recoveries + 1} of ${maxRecoveries})`,
          },
        });
      }
      const stored = await appendExecutionEvents(tx, { orgId: row.orgId, executionId: row.id }, events);
      return { outcome, stored, attempts: row.attempts };
    });
    if (!taken) continue;
    await publishStoredEvents(deps.events, taken.stored);
    result[taken.outcome]++;
    if (taken.outcome === 'resumed') {
      await redeliver(deps.queue, { executionId: e.id, orgId: e.orgId, attempts: taken.attempts }).catch(
        (err) =>
          deps.logger?.warn(
            { err, executionId: e.id },
            're-delivering a recovered execution failed; the pending sweep retries',
          ),
      );
    }
  }
  return result;
}

export interface RecoverPendingOptions {
  /** Only executions pending (unchanged) for at least this long. */
  olderThanMs: number;
  /** Whether the delivery job of a pending execution still waits in the queue (skip it then). */
  isQueued?: ((jobId: string) => Promise<boolean>) | undefined;
  limit?: number;
}

/**
 * Re-enqueues pending executions that have no delivery waiting: the inline queue lost its jobs when
 * the process restarted, Redis lost its data, or an enqueue failed after the row committed. A
 * duplicate delivery is harmless (the claim is a compare-and-swap).
 */
export async function recoverPending(deps: ReaperDeps, options: RecoverPendingOptions): Promise<number> {
  const rows = await asSystem(deps.db, 'recovery: pending executions without a delivery, every org', (tx) =>
    tx
      .select({ id: executions.id, orgId: executions.orgId, attempts: executions.attempts })
      .from(executions)
      .where(
        and(
          eq(executions.status, 'pending'),
          lt(executions.updatedAt, sql`now() - make_interval(secs => ${options.olderThanMs / 1000})`),
        ),
      )
      .orderBy(executions.createdAt)
      .limit(options.limit ?? 500),
  );
  let enqueued = 0;
  for (const r of rows) {
    const jobId = executionJobId(r.id, r.attempts);
    if (options.isQueued && (await options.isQueued(jobId).catch(() => false))) continue;
    await deps.queue
      .enqueue('executions', { execution_id: r.id, org_id: r.orgId }, { jobId: `${jobId}-r${Date.now()}` })
      .then(() => enqueued++)
      .catch((err) =>
        deps.logger?.warn({ err, executionId: r.id }, 're-enqueueing a pending execution failed'),
      );
  }
  return enqueued;
}
