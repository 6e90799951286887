import type { ExecutionStatusValue } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { executions } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { inOrg } from '../context';
import { executionEventChannel } from '../executions/recorder';

/** Where execution events can be followed live (structurally an `EventBus` of `@agentflow/queue`). */
export interface ExecutionEventSubscriber {
  subscribe(
    channel: string,
    handler: (message: string, channel: string) => void,
  ): Promise<() => Promise<void>>;
}

/** Statuses after which waiting longer changes nothing: ended, or paused for a person. */
export const settledStatuses: ReadonlySet<ExecutionStatusValue> = new Set([
  'completed',
  'failed',
  'cancelled',
  'timed_out',
  'waiting_approval',
]);

/** Events announcing one of those (the row is still what decides). */
const settlingEvents = new Set([
  'execution.completed',
  'execution.failed',
  'execution.cancelled',
  'execution.timed_out',
  'execution.waiting_approval',
]);

export interface ExecutionSnapshot {
  id: string;
  status: ExecutionStatusValue;
  output: unknown;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface WaitForExecutionOptions {
  db: Db;
  orgId: string;
  executionId: string;
  timeoutMs: number;
  /** Live wake-up on the execution's channel; without it (or if subscribing fails) polling alone. */
  events?: ExecutionEventSubscriber | undefined;
  /** Fallback poll of the row (the bus is at most once). Default 1000 ms. */
  pollIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

async function readSnapshot(db: Db, orgId: string, id: string): Promise<ExecutionSnapshot> {
  const [row] = await inOrg({ db, orgId }, (tx) =>
    tx
      .select({
        id: executions.id,
        status: executions.status,
        output: executions.output,
        errorCode: executions.errorCode,
        errorMessage: executions.errorMessage,
      })
      .from(executions)
      .where(and(eq(executions.id, id), eq(executions.orgId, orgId)))
      .limit(1),
  );
  if (!row) throw new Error(`waitForExecution: execution ${id} not found`);
  return { ...row, status: row.status as ExecutionStatusValue };
}

/**
 * Waits until the execution settles (see `settledStatuses`) or `timeoutMs` passes, and returns the row
 * as it then is. Subscribes to `execution:{id}` before the first read, so an end that happens between
 * the two is not missed; a terminal event wakes the wait at once, and the row is polled every
 * `pollIntervalMs` in case the bus dropped the message (Redis pub/sub is at most once).
 */
export async function waitForExecution(options: WaitForExecutionOptions): Promise<ExecutionSnapshot> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollIntervalMs ?? 1000;
  let signalled = false;
  let wake: (() => void) | undefined;
  const onMessage = (message: string) => {
    try {
      const type = (JSON.parse(message) as { type?: unknown }).type;
      if (typeof type !== 'string' || !settlingEvents.has(type)) return;
    } catch {
      return;
    }
    signalled = true;
    wake?.();
  };
  const unsubscribe = options.events
    ? await options.events
        .subscribe(executionEventChannel(options.executionId), onMessage)
        .catch(() => undefined)
    : undefined;
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      signalled = false;
      const snapshot = await readSnapshot(options.db, options.orgId, options.executionId);
      const remaining = deadline - Date.now();
      if (settledStatuses.has(snapshot.status) || remaining <= 0 || options.signal?.aborted) return snapshot;
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, remaining));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await unsubscribe?.().catch(() => undefined);
  }
}
