import { redeliver, sweepApprovalTimeouts } from './approvals';
import { type ControlMessage, EXECUTION_CONTROL_CHANNEL } from './cancel';
import { recoverPending, sweepExpiredLeases } from './reaper';
import type { EventPublisher } from './recorder';
import { type RunExecutionDeps, type RunExecutionOutcome, runExecution } from './run';
import type { ExecutionQueue } from './start';

/** The bus as the runtime needs it (structurally an `EventBus` of `@agentflow/queue`). */
export interface RuntimeBus extends EventPublisher {
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

export interface RuntimeQueue extends ExecutionQueue {
  getJob?(queue: 'executions', jobId: string): Promise<{ state: string } | undefined>;
  /** The queue's store came back after a loss (jobs enqueued meanwhile may be gone). */
  onReconnect?(listener: () => void): () => void;
}

export interface ExecutionRuntimeDeps extends Omit<RunExecutionDeps, 'events'> {
  queue: RuntimeQueue;
  events?: RuntimeBus | undefined;
  /** How often the reaper sweeps leases, approval deadlines and stale pending runs (default 5 s). */
  sweepIntervalMs?: number | undefined;
  /** Takeovers of a lost run before it fails with WORKER_LOST (default 3). */
  maxRecoveries?: number | undefined;
  /** A pending execution unchanged this long with no job waiting is re-enqueued (default 60 s). */
  stalePendingMs?: number | undefined;
  logger?:
    | {
        info?(obj: object, msg: string): void;
        warn(obj: object, msg: string): void;
        error(obj: object, msg: string): void;
      }
    | undefined;
}

export interface ExecutionRuntime {
  /**
   * Listens for cancel requests, re-enqueues pending runs with no job (now, and whenever the queue's
   * store reconnects), starts the periodic sweep.
   */
  start(): Promise<void>;
  /**
   * Runs one delivered execution (what a queue processor calls). `orgId` is the job payload's hint,
   * saving a lookup; a wrong hint costs only that lookup (the claim is org-scoped).
   */
  process(executionId: string, signal?: AbortSignal, orgId?: string): Promise<RunExecutionOutcome>;
  /** One reaper pass (also run on the timer). */
  sweep(): Promise<void>;
  /** Executions this process is running right now. */
  readonly active: number;
  /** Stops the timer and the control subscription. Running jobs are drained by the queue's close. */
  stop(): Promise<void>;
}

const activeJobStates = new Set(['waiting', 'delayed', 'active']);

/**
 * The consumer side of executions (ADR 0006): every process that consumes the `executions` queue (the
 * worker, or the API in embedded mode) runs one. Safe with many: claims, takeovers and approval
 * timeouts are all compare-and-swaps in Postgres.
 */
export function createExecutionRuntime(deps: ExecutionRuntimeDeps): ExecutionRuntime {
  const running = new Map<string, AbortController>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let offReconnect: (() => void) | undefined;
  let sweeping: Promise<void> | undefined;
  const reaper = {
    db: deps.db,
    queue: deps.queue,
    events: deps.events,
    maxRecoveries: deps.maxRecoveries,
    logger: deps.logger,
  };
  const isQueued = deps.queue.getJob
    ? async (jobId: string) =>
        activeJobStates.has((await deps.queue.getJob?.('executions', jobId))?.state ?? '')
    : undefined;

  const onControl = (message: string) => {
    let parsed: ControlMessage;
    try {
      parsed = JSON.parse(message) as ControlMessage;
    } catch {
      return;
    }
    if (parsed.type === 'cancel') running.get(parsed.execution_id)?.abort(new Error('cancel requested'));
  };

  const sweepOnce = async () => {
    try {
      const leases = await sweepExpiredLeases(reaper);
      const timeouts = await sweepApprovalTimeouts(deps.db, { queue: deps.queue, events: deps.events });
      const stale = await recoverPending(reaper, { olderThanMs: deps.stalePendingMs ?? 60_000, isQueued });
      if (leases.resumed + leases.failed + leases.cancelled + timeouts + stale > 0) {
        deps.logger?.info?.(
          { leases, approvalTimeouts: timeouts, reEnqueued: stale },
          'execution reaper pass',
        );
      }
    } catch (err) {
      deps.logger?.warn({ err }, 'execution reaper pass failed; retrying on the next tick');
    }
  };

  return {
    get active() {
      return running.size;
    },
    async start() {
      if (deps.events) unsubscribe = await deps.events.subscribe(EXECUTION_CONTROL_CHANNEL, onControl);
      // Jobs lost with a restarted process (inline queue) or a wiped Redis: pending rows are the truth.
      await recoverPending(reaper, { olderThanMs: 0, isQueued }).catch((err) =>
        deps.logger?.warn({ err }, 're-enqueueing pending executions at startup failed'),
      );
      offReconnect = deps.queue.onReconnect?.(() => {
        void recoverPending(reaper, { olderThanMs: 0, isQueued }).catch((err) =>
          deps.logger?.warn({ err }, 're-enqueueing pending executions after a reconnect failed'),
        );
      });
      const every = deps.sweepIntervalMs ?? 5_000;
      timer = setInterval(() => {
        sweeping ??= sweepOnce().finally(() => {
          sweeping = undefined;
        });
      }, every);
      timer.unref?.();
    },
    async process(executionId, signal, orgId) {
      const cancel = new AbortController();
      running.set(executionId, cancel);
      try {
        const outcome = await runExecution({ ...deps, events: deps.events }, executionId, {
          signal,
          cancelSignal: cancel.signal,
          orgId,
        });
        if ('redeliver' in outcome && outcome.redeliver) {
          // Released on shutdown: a new delivery lets another worker continue from the checkpoint.
          // If this fails (queue closing), the pending sweep of a live process re-enqueues it.
          await redeliver(deps.queue, { executionId, ...outcome.redeliver }).catch((err) =>
            deps.logger?.warn({ err, executionId }, 're-delivering a released execution failed'),
          );
        }
        return outcome;
      } finally {
        running.delete(executionId);
      }
    },
    sweep: () => sweepOnce(),
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      offReconnect?.();
      offReconnect = undefined;
      await sweeping;
      await unsubscribe?.().catch(() => {});
      unsubscribe = undefined;
    },
  };
}
