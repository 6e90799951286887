import type { ExecutionEvent, ExecutionStatusValue } from '@agentflow/contracts';

/**
 * Pure reduction of an execution's stored events (what `WS /executions/:id/stream` sends) into the
 * run's status and each node's state. No React here: unit-tested in execution-stream-reducer.test.ts.
 */

export type NodeRunStatus = 'running' | 'completed' | 'failed' | 'waiting';

export interface NodeRunState {
  status: NodeRunStatus;
  output?: unknown;
  error?: { code: string; message: string };
}

export interface ExecutionStreamState {
  /** Every event received, in seq order, each seq once. */
  events: ExecutionEvent[];
  /** The execution's status as the events tell it; 'connecting' until the first event arrives. */
  status: ExecutionStatusValue | 'connecting';
  /** Keyed by the definition's node id (`node_id` of the step events). */
  nodes: Record<string, NodeRunState>;
  /** The highest seq received (0 = none): the `after` of the next connection. */
  lastSeq: number;
}

export const initialExecutionStreamState: ExecutionStreamState = {
  events: [],
  status: 'connecting',
  nodes: {},
  lastSeq: 0,
};

const executionStatusOf: Record<string, ExecutionStatusValue> = {
  'execution.started': 'running',
  'execution.resumed': 'running',
  'execution.waiting_approval': 'waiting_approval',
  'execution.completed': 'completed',
  'execution.failed': 'failed',
  'execution.cancelled': 'cancelled',
  'execution.timed_out': 'timed_out',
};

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function errorOf(value: unknown, fallback: { code: string; message: string }) {
  if (typeof value === 'string') return { code: fallback.code, message: value };
  const e = record(value);
  return {
    code: typeof e.code === 'string' ? e.code : fallback.code,
    message: typeof e.message === 'string' ? e.message : fallback.message,
  };
}

/** Applies one event. Events at or below `lastSeq` (a replay after a reconnect) change nothing. */
export function reduceExecutionEvent(
  state: ExecutionStreamState,
  event: ExecutionEvent,
): ExecutionStreamState {
  if (event.seq <= state.lastSeq) return state;
  const next: ExecutionStreamState = {
    events: [...state.events, event],
    status: state.status,
    nodes: state.nodes,
    lastSeq: event.seq,
  };
  applyEvent(next, event);
  return next;
}

/** Applies a batch (one render for many events: token streams arrive every ~50 ms). */
export function reduceExecutionEvents(
  state: ExecutionStreamState,
  events: readonly ExecutionEvent[],
): ExecutionStreamState {
  const fresh = [...events].sort((a, b) => a.seq - b.seq);
  let lastSeq = state.lastSeq;
  const accepted: ExecutionEvent[] = [];
  for (const e of fresh) {
    if (e.seq <= lastSeq) continue;
    accepted.push(e);
    lastSeq = e.seq;
  }
  if (accepted.length === 0) return state;
  const next: ExecutionStreamState = {
    events: [...state.events, ...accepted],
    status: state.status,
    nodes: state.nodes,
    lastSeq,
  };
  for (const e of accepted) applyEvent(next, e);
  return next;
}

/** Mutates `next` (a fresh object whose `nodes` may still be shared: copied before the first write). */
function applyEvent(next: ExecutionStreamState, event: ExecutionEvent): void {
  const runStatus = executionStatusOf[event.type];
  if (runStatus) {
    next.status = runStatus;
    if (runStatus === 'failed' || runStatus === 'cancelled' || runStatus === 'timed_out') {
      // Steps cut off by the end of the run (a cancelled approval, a lost worker) get no event of their own.
      const error =
        runStatus === 'cancelled'
          ? { code: 'EXECUTION_CANCELLED', message: 'The execution was cancelled.' }
          : errorOf(record(event.payload).error, {
              code: runStatus === 'timed_out' ? 'EXECUTION_TIMEOUT' : 'EXECUTION_FAILED',
              message: runStatus === 'timed_out' ? 'The execution timed out.' : 'The execution failed.',
            });
      for (const [id, node] of Object.entries(next.nodes)) {
        if (node.status === 'running' || node.status === 'waiting')
          setNode(next, id, { status: 'failed', error });
      }
    }
    return;
  }
  if (!event.type.startsWith('step.')) return;
  const payload = record(event.payload);
  const nodeId = payload.node_id;
  if (typeof nodeId !== 'string') return;
  switch (event.type) {
    case 'step.started':
      setNode(next, nodeId, { status: 'running' });
      break;
    case 'step.completed':
      setNode(next, nodeId, { status: 'completed', output: payload.output ?? null });
      break;
    case 'step.failed':
      setNode(next, nodeId, {
        status: 'failed',
        error: errorOf(payload.error, { code: 'STEP_FAILED', message: 'The step failed.' }),
      });
      break;
    case 'step.waiting_approval':
      setNode(next, nodeId, { status: 'waiting' });
      break;
    case 'step.retry': {
      const current = next.nodes[nodeId];
      setNode(next, nodeId, { ...(current ?? {}), status: 'running' });
      break;
    }
    default:
      break;
  }
}

function setNode(next: ExecutionStreamState, nodeId: string, node: NodeRunState): void {
  next.nodes = { ...next.nodes, [nodeId]: node };
}
