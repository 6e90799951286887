import type { ExecutionEvent } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import {
  initialExecutionStreamState,
  reduceExecutionEvent,
  reduceExecutionEvents,
} from './execution-stream-reducer';

const id = '00000000-0000-4000-8000-000000000001';
let clock = 0;
const ev = (seq: number, type: string, payload: unknown = {}): ExecutionEvent => ({
  execution_id: id,
  seq,
  type,
  payload,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
});

/** What a run with an approval sends (shapes as the API stores them). */
const approvalRun = [
  ev(1, 'execution.started', { attempt: 1, version: 1 }),
  ev(2, 'log', { level: 'info', message: 'Execution started (version 1)' }),
  ev(3, 'step.started', { node_id: 'start', step_id: 's1', type: 'trigger' }),
  ev(4, 'step.completed', { node_id: 'start', step_id: 's1', output: { a: 1 }, duration_ms: 2 }),
  ev(5, 'step.started', { node_id: 'review', step_id: 's2', type: 'human' }),
  ev(6, 'step.waiting_approval', { node_id: 'review', step_id: 's2', request: { message: 'ok?' } }),
  ev(7, 'execution.waiting_approval', { status: 'waiting_approval', approval: {} }),
];

describe('reduceExecutionEvent(s)', () => {
  it('starts as connecting with nothing', () => {
    expect(initialExecutionStreamState).toEqual({ events: [], status: 'connecting', nodes: {}, lastSeq: 0 });
  });

  it('tracks the run and each node through a pause for approval', () => {
    const s = reduceExecutionEvents(initialExecutionStreamState, approvalRun);
    expect(s.status).toBe('waiting_approval');
    expect(s.lastSeq).toBe(7);
    expect(s.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.nodes).toEqual({
      start: { status: 'completed', output: { a: 1 } },
      review: { status: 'waiting' },
    });
  });

  it('continues after the decision: resumed, the human node completes with its output, run completed', () => {
    let s = reduceExecutionEvents(initialExecutionStreamState, approvalRun);
    s = reduceExecutionEvents(s, [
      ev(8, 'execution.resumed', { attempt: 2 }),
      ev(9, 'step.started', { node_id: 'review', step_id: 's2' }),
    ]);
    expect(s.status).toBe('running');
    expect(s.nodes.review).toEqual({ status: 'running' });
    s = reduceExecutionEvents(s, [
      ev(10, 'step.completed', { node_id: 'review', output: { approved: true, comment: 'fine' } }),
      ev(11, 'step.started', { node_id: 'done' }),
      ev(12, 'step.completed', { node_id: 'done', output: null }),
      ev(13, 'execution.completed', { status: 'completed', output: 'yes' }),
    ]);
    expect(s.status).toBe('completed');
    expect(s.nodes.review).toEqual({ status: 'completed', output: { approved: true, comment: 'fine' } });
    expect(s.nodes.done).toEqual({ status: 'completed', output: null });
  });

  it('ignores events it already has (replay after a reconnect) and sorts a batch by seq', () => {
    const first = reduceExecutionEvents(initialExecutionStreamState, approvalRun.slice(0, 4));
    // The reconnect asked for after=4, but a duplicate or an out-of-order batch must change nothing.
    const again = reduceExecutionEvents(first, approvalRun.slice(2, 4));
    expect(again).toBe(first);
    const at = (i: number) => approvalRun[i] as ExecutionEvent;
    const s = reduceExecutionEvents(first, [at(6), at(4), at(5), at(3)]);
    expect(s.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.status).toBe('waiting_approval');
    expect(reduceExecutionEvent(s, at(0))).toBe(s);
  });

  it('records a failed step with its error code and message, and a retry sets it running again', () => {
    let s = reduceExecutionEvents(initialExecutionStreamState, [
      ev(1, 'execution.started'),
      ev(2, 'step.started', { node_id: 'fetch' }),
      ev(3, 'step.failed', {
        node_id: 'fetch',
        error: { code: 'HTTP_ERROR', message: '503 from upstream' },
        will_retry: true,
      }),
    ]);
    expect(s.nodes.fetch).toEqual({
      status: 'failed',
      error: { code: 'HTTP_ERROR', message: '503 from upstream' },
    });
    s = reduceExecutionEvent(s, ev(4, 'step.retry', { node_id: 'fetch', attempt: 2 }));
    expect(s.nodes.fetch?.status).toBe('running');
    s = reduceExecutionEvent(s, ev(5, 'step.failed', { node_id: 'fetch', error: 'plain text' }));
    expect(s.nodes.fetch?.error).toEqual({ code: 'STEP_FAILED', message: 'plain text' });
    s = reduceExecutionEvent(
      s,
      ev(6, 'execution.failed', { status: 'failed', error: { code: 'HTTP_ERROR', message: '503' } }),
    );
    expect(s.status).toBe('failed');
  });

  it('marks steps cut off by a cancel (a waiting approval, a running delay) as failed', () => {
    const s = reduceExecutionEvents(initialExecutionStreamState, [
      ev(1, 'execution.started'),
      ev(2, 'step.started', { node_id: 'done-before' }),
      ev(3, 'step.completed', { node_id: 'done-before', output: 1 }),
      ev(4, 'step.started', { node_id: 'wait' }),
      ev(5, 'execution.cancelled', { status: 'cancelled' }),
    ]);
    expect(s.status).toBe('cancelled');
    expect(s.nodes['done-before']?.status).toBe('completed');
    expect(s.nodes.wait).toEqual({
      status: 'failed',
      error: { code: 'EXECUTION_CANCELLED', message: 'The execution was cancelled.' },
    });
  });

  it('keeps log, token and tool events in the list without touching node state', () => {
    const s = reduceExecutionEvents(initialExecutionStreamState, [
      ev(1, 'execution.started'),
      ev(2, 'step.started', { node_id: 'ai' }),
      ev(3, 'llm.token', { node_id: 'ai', token: 'Hel', count: 1 }),
      ev(4, 'agent.tool_call', { node_id: 'ai', tool: 'search' }),
      ev(5, 'log', { level: 'info', message: 'x' }),
      ev(6, 'step.started', { step_id: 'no node id' }),
    ]);
    expect(s.events).toHaveLength(6);
    expect(s.nodes).toEqual({ ai: { status: 'running' } });
  });

  it('does not mutate the previous state', () => {
    const a = reduceExecutionEvents(initialExecutionStreamState, approvalRun.slice(0, 3));
    const snapshot = structuredClone(a);
    reduceExecutionEvents(a, approvalRun.slice(3));
    expect(a).toEqual(snapshot);
    expect(initialExecutionStreamState.events).toHaveLength(0);
  });
});
