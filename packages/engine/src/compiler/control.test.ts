import { describe, expect, it } from 'vitest';
import { AbortedError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http/client';
import { createEchoProvider } from '../llm/echo';
import { createLlmRouter } from '../llm/router';
import { sleep } from '../sleep';
import { compileForTest, edge, node, recordingHooks, testServices, trigger } from '../test-utils';

const approvalDef = {
  nodes: [
    trigger(),
    node('draft', 'transform', 'set', { values: { text: 'Refund {{trigger.data.amount}} EUR' } }),
    node('ok', 'human', 'approval', {
      message: 'Approve: {{node_draft.output.text}}?',
      approvers: { roles: ['admin'] },
    }),
    node('send', 'output', 'respond', { body: { sent: true, by: '{{node_ok.output.by}}' } }),
    node('drop', 'output', 'respond', { body: { sent: false, why: '{{node_ok.output.comment}}' } }),
  ],
  edges: [
    edge('e1', 'start', 'draft'),
    edge('e2', 'draft', 'ok'),
    edge('e3', 'ok', 'send', { source_handle: 'approved' }),
    edge('e4', 'ok', 'drop', { source_handle: 'rejected' }),
  ],
};

describe('human approval (interrupt / Command resume)', () => {
  it('pauses with the approval request, then resumes on approve', async () => {
    const rec = recordingHooks();
    const agent = compileForTest(approvalDef, { hooks: rec.hooks });
    const paused = await agent.run({ type: 'manual', data: { amount: 40 } }, { threadId: 'exec-1' });
    expect(paused.status).toBe('waiting_approval');
    if (paused.status !== 'waiting_approval') return;
    expect(paused.threadId).toBe('exec-1');
    expect(paused.interrupts[0]?.value).toMatchObject({
      kind: 'approval',
      node_id: 'ok',
      message: 'Approve: Refund 40 EUR?',
      approvers: { roles: ['admin'] },
    });
    expect(rec.events).toContainEqual(
      expect.objectContaining({ type: 'step.waiting_approval', node_id: 'ok' }),
    );
    const done = await agent.resume({ decision: 'approve', by: 'user-7' }, { threadId: 'exec-1' });
    expect(done).toMatchObject({ status: 'completed', output: { body: { sent: true, by: 'user-7' } } });
    expect(done.state.steps).toEqual(['start', 'draft', 'ok', 'send']);
  });

  it('resumes on reject down the rejected branch', async () => {
    const agent = compileForTest(approvalDef);
    const paused = await agent.run({ type: 'manual', data: { amount: 40 } });
    const done = await agent.resume(
      { decision: 'reject', comment: 'too much', by: 'user-7' },
      { threadId: paused.threadId },
    );
    expect(done).toMatchObject({ status: 'completed', output: { body: { sent: false, why: 'too much' } } });
  });

  it("resuming with { decision: 'timeout' } applies the node's on_timeout", async () => {
    const withTimeout = (on_timeout: string) => ({
      ...approvalDef,
      nodes: approvalDef.nodes.map((n) =>
        n.id === 'ok' ? { ...n, config: { ...n.config, timeout_seconds: 60, on_timeout } } : n,
      ),
    });
    const expire = async (on_timeout: string, rec = recordingHooks()) => {
      const agent = compileForTest(withTimeout(on_timeout), { hooks: rec.hooks });
      const paused = await agent.run({ type: 'manual', data: { amount: 40 } });
      expect(paused.status === 'waiting_approval' && paused.interrupts[0]?.value).toMatchObject({
        timeout_seconds: 60,
        on_timeout,
      });
      return agent.resume({ decision: 'timeout' }, { threadId: paused.threadId });
    };

    const approved = await expire('approve');
    expect(approved).toMatchObject({ status: 'completed', output: { body: { sent: true } } });
    expect(approved.state.nodes.ok?.output).toMatchObject({ approved: true, timed_out: true, by: null });

    const rejected = await expire('reject');
    expect(rejected.state.steps).toEqual(['start', 'draft', 'ok', 'drop']);
    expect(rejected.state.nodes.ok?.output).toMatchObject({ decision: 'rejected', timed_out: true });

    const rec = recordingHooks();
    await expect(expire('fail', rec)).rejects.toMatchObject({ code: 'APPROVAL_TIMED_OUT', nodeId: 'ok' });
    expect(rec.calls.at(-1)).toMatchObject({ hook: 'fail', node_id: 'ok', code: 'APPROVAL_TIMED_OUT' });
  });

  it('pauses inside a loop body once per item', async () => {
    const def = {
      nodes: [
        trigger(),
        node('each', 'logic', 'loop', { items: '{{trigger.data.items}}' }),
        node('ok', 'human', 'approval', { message: 'Publish {{loop.item}}?' }),
      ],
      edges: [edge('e1', 'start', 'each'), edge('e2', 'each', 'ok', { source_handle: 'each' })],
    };
    const agent = compileForTest(def);
    let r = await agent.run({ type: 'manual', data: { items: ['a', 'b'] } });
    const asked: unknown[] = [];
    for (const decision of ['approve', 'reject'] as const) {
      if (r.status !== 'waiting_approval') throw new Error('expected a pause');
      asked.push((r.interrupts[0]?.value as { message?: string } | undefined)?.message);
      r = await agent.resume({ decision }, { threadId: r.threadId });
    }
    expect(asked).toEqual(['Publish a?', 'Publish b?']);
    expect(r).toMatchObject({
      status: 'completed',
      output: { count: 2, results: [{ approved: true }, { approved: false }] },
    });
  });
});

describe('retries, timeouts and aborts', () => {
  it('retries a retryable failure with backoff and succeeds on the 3rd attempt', async () => {
    const responses: Array<Partial<HttpResponse>> = [
      { status: 503, body: 'busy' },
      { status: 429, body: 'slow down' },
      { status: 200, body: 'ok' },
    ];
    const http = {
      async request(req: HttpRequest): Promise<HttpResponse> {
        return { status: 200, headers: {}, body: '', url: req.url, ...responses.shift() };
      },
    };
    const services = testServices({ http });
    const rec = recordingHooks();
    const def = {
      nodes: [
        trigger(),
        node('call', 'action', 'http_request', {
          url: 'https://api.example.com/',
          retry: { max_attempts: 3, base_delay_ms: 100, jitter: false },
        }),
      ],
      edges: [edge('e1', 'start', 'call')],
    };
    const r = await compileForTest(def, { services, hooks: rec.hooks }).run({ type: 'manual', data: {} });
    expect(r).toMatchObject({ status: 'completed', output: { status: 200, body: 'ok' } });
    expect(services.slept).toEqual([100, 200]);
    expect(rec.calls.filter((c) => c.node_id === 'call').map((c) => `${c.hook}#${c.attempt}`)).toEqual([
      'start#1',
      'fail#1',
      'start#2',
      'fail#2',
      'start#3',
      'complete#3',
    ]);
    expect(rec.calls.find((c) => c.hook === 'fail')).toMatchObject({
      code: 'HTTP_STATUS',
      retryable: true,
      will_retry: true,
    });
    expect(
      rec.events.filter((e) => e.type === 'step.retry').map((e) => e.type === 'step.retry' && e.delay_ms),
    ).toEqual([100, 200]);
  });

  it('does not retry what cannot succeed, and stops after max_attempts', async () => {
    const fail = (status: number) => ({
      async request(req: HttpRequest): Promise<HttpResponse> {
        return { status, headers: {}, body: 'x', url: req.url };
      },
    });
    const def = {
      nodes: [
        trigger(),
        node('call', 'action', 'http_request', {
          url: 'https://api.example.com/',
          retry: { max_attempts: 2, jitter: false },
        }),
      ],
      edges: [edge('e1', 'start', 'call')],
    };
    const notFound = testServices({ http: fail(404) });
    await expect(
      compileForTest(def, { services: notFound }).run({ type: 'manual', data: {} }),
    ).rejects.toMatchObject({ code: 'HTTP_STATUS', attempts: 1 });
    expect(notFound.slept).toEqual([]);
    const down = testServices({ http: fail(500) });
    await expect(
      compileForTest(def, { services: down }).run({ type: 'manual', data: {} }),
    ).rejects.toMatchObject({ attempts: 2, nodeId: 'call' });
  });

  it('aborting mid-step stops the run promptly with a clear error', async () => {
    const slowModel = createLlmRouter({ providers: [createEchoProvider({ latencyMs: 10_000 })] });
    const rec = recordingHooks();
    const def = {
      nodes: [trigger(), node('think', 'ai', 'chat', { user_prompt: 'hi' })],
      edges: [edge('e1', 'start', 'think')],
    };
    const agent = compileForTest(def, { services: testServices({ llm: slowModel }), hooks: rec.hooks });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled by the user')), 50);
    const t0 = Date.now();
    const err = await agent.run({ type: 'manual', data: {} }, { signal: ac.signal }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({
      code: 'EXECUTION_ABORTED',
      message: 'The execution was aborted: cancelled by the user',
    });
    expect(rec.calls.at(-1)).toMatchObject({ hook: 'fail', node_id: 'think', will_retry: false });
  });

  it('a delay node honours abort', async () => {
    const def = {
      nodes: [trigger(), node('wait', 'logic', 'delay', { seconds: 60 })],
      edges: [edge('e1', 'start', 'wait')],
    };
    const agent = compileForTest(def, { services: testServices({ sleep }) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const t0 = Date.now();
    await expect(agent.run({ type: 'manual', data: {} }, { signal: ac.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a step over its timeout_ms fails with STEP_TIMEOUT even if the handler ignores its signal', async () => {
    const stubborn = {
      async request(req: HttpRequest): Promise<HttpResponse> {
        await sleep(5000);
        return { status: 200, headers: {}, body: '', url: req.url };
      },
    };
    const def = {
      nodes: [
        trigger(),
        node('call', 'action', 'http_request', {
          url: 'https://api.example.com/',
          timeout_ms: 100,
          retry: { max_attempts: 1 },
        }),
      ],
      edges: [edge('e1', 'start', 'call')],
    };
    const t0 = Date.now();
    await expect(
      compileForTest(def, { services: testServices({ http: stubborn }) }).run({ type: 'manual', data: {} }),
    ).rejects.toMatchObject({
      code: 'STEP_TIMEOUT',
      message: 'Step "call" failed: Step "call" timed out after 100 ms',
    });
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
